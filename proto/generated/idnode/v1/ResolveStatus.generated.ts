// Original file: proto/idnode/v1/resolution.proto

export const ResolveStatus = {
  RESOLVE_STATUS_UNSPECIFIED: 'RESOLVE_STATUS_UNSPECIFIED',
  /**
   * record is set.
   */
  RESOLVE_STATUS_FOUND: 'RESOLVE_STATUS_FOUND',
  /**
   * No record and no tombstone; negative_ttl applies.
   */
  RESOLVE_STATUS_NOT_FOUND: 'RESOLVE_STATUS_NOT_FOUND',
  /**
   * Deleted: record carries the tombstone (deleted_at); the suffix is never reused. negative_ttl applies.
   */
  RESOLVE_STATUS_GONE: 'RESOLVE_STATUS_GONE',
  /**
   * Ask another node: referral is set (Handle RC 301/302/303).
   */
  RESOLVE_STATUS_REFERRAL: 'RESOLVE_STATUS_REFERRAL',
  /**
   * error is set.
   */
  RESOLVE_STATUS_ERROR: 'RESOLVE_STATUS_ERROR',
} as const;

export type ResolveStatus =
  | 'RESOLVE_STATUS_UNSPECIFIED'
  | 0
  /**
   * record is set.
   */
  | 'RESOLVE_STATUS_FOUND'
  | 1
  /**
   * No record and no tombstone; negative_ttl applies.
   */
  | 'RESOLVE_STATUS_NOT_FOUND'
  | 2
  /**
   * Deleted: record carries the tombstone (deleted_at); the suffix is never reused. negative_ttl applies.
   */
  | 'RESOLVE_STATUS_GONE'
  | 3
  /**
   * Ask another node: referral is set (Handle RC 301/302/303).
   */
  | 'RESOLVE_STATUS_REFERRAL'
  | 4
  /**
   * error is set.
   */
  | 'RESOLVE_STATUS_ERROR'
  | 5;

export type ResolveStatus__Output = (typeof ResolveStatus)[keyof typeof ResolveStatus];
