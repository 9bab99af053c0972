// Original file: proto/idnode/v1/sync.proto

export const ChangeOp = {
  CHANGE_OP_UNSPECIFIED: 'CHANGE_OP_UNSPECIFIED',
  CHANGE_OP_PUT: 'CHANGE_OP_PUT',
  /**
   * record carries the tombstone.
   */
  CHANGE_OP_DELETE: 'CHANGE_OP_DELETE',
} as const;

export type ChangeOp =
  | 'CHANGE_OP_UNSPECIFIED'
  | 0
  | 'CHANGE_OP_PUT'
  | 1
  /**
   * record carries the tombstone.
   */
  | 'CHANGE_OP_DELETE'
  | 2;

export type ChangeOp__Output = (typeof ChangeOp)[keyof typeof ChangeOp];
