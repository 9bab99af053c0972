// Original file: proto/idnode/v1/registry.proto

export const Decision = {
  DECISION_UNSPECIFIED: 'DECISION_UNSPECIFIED',
  DECISION_GRANTED: 'DECISION_GRANTED',
  /**
   * The prefix was already delegated to the same node: nothing changed.
   */
  DECISION_ALREADY_GRANTED: 'DECISION_ALREADY_GRANTED',
  DECISION_REJECTED: 'DECISION_REJECTED',
} as const;

export type Decision =
  | 'DECISION_UNSPECIFIED'
  | 0
  | 'DECISION_GRANTED'
  | 1
  /**
   * The prefix was already delegated to the same node: nothing changed.
   */
  | 'DECISION_ALREADY_GRANTED'
  | 2
  | 'DECISION_REJECTED'
  | 3;

export type Decision__Output = (typeof Decision)[keyof typeof Decision];
