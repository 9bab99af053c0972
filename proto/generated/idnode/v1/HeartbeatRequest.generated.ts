// Original file: proto/idnode/v1/registry.proto

import type {
  HealthState as _idnode_v1_HealthState,
  HealthState__Output as _idnode_v1_HealthState__Output,
} from '../../idnode/v1/HealthState.generated.ts';
import type { Long } from '@grpc/proto-loader';

export interface HeartbeatRequest {
  nodeId?: string;
  health?: _idnode_v1_HealthState;
  /**
   * 0..1, the node's own estimate of how busy it is.
   */
  load?: number | string;
  requestsPerSecond?: number | string;
  /**
   * The highest change-log seq the node has written (for sync-lag monitoring).
   */
  lastSeq?: number | string | Long;
  /**
   * ISO 8601 at the node.
   */
  at?: string;
}

export interface HeartbeatRequest__Output {
  nodeId: string;
  health: _idnode_v1_HealthState__Output;
  /**
   * 0..1, the node's own estimate of how busy it is.
   */
  load: number;
  requestsPerSecond: number;
  /**
   * The highest change-log seq the node has written (for sync-lag monitoring).
   */
  lastSeq: number;
  /**
   * ISO 8601 at the node.
   */
  at: string;
}
