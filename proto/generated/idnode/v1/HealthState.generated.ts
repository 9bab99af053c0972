// Original file: proto/idnode/v1/registry.proto

export const HealthState = {
  HEALTH_STATE_UNSPECIFIED: 'HEALTH_STATE_UNSPECIFIED',
  HEALTH_STATE_SERVING: 'HEALTH_STATE_SERVING',
  /**
   * Serving, but from a degraded path (e.g. stale answers while the store is down).
   */
  HEALTH_STATE_DEGRADED: 'HEALTH_STATE_DEGRADED',
  HEALTH_STATE_NOT_SERVING: 'HEALTH_STATE_NOT_SERVING',
} as const;

export type HealthState =
  | 'HEALTH_STATE_UNSPECIFIED'
  | 0
  | 'HEALTH_STATE_SERVING'
  | 1
  /**
   * Serving, but from a degraded path (e.g. stale answers while the store is down).
   */
  | 'HEALTH_STATE_DEGRADED'
  | 2
  | 'HEALTH_STATE_NOT_SERVING'
  | 3;

export type HealthState__Output = (typeof HealthState)[keyof typeof HealthState];
