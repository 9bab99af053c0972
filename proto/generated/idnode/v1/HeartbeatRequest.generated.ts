// Original file: proto/idnode/v1/registry.proto

import type {
  HealthState as _idnode_v1_HealthState,
  HealthState__Output as _idnode_v1_HealthState__Output,
} from '../../idnode/v1/HealthState.generated.ts';
import type { Long } from '@grpc/proto-loader';

export interface HeartbeatRequest {
  nodeId?: string;
  /**
   * NOT_SERVING while the node's own readiness fails (store down, draining): the top-level node then
   * answers for its prefixes from the synced copy (emergency takeover) without waiting for silence.
   */
  health?: _idnode_v1_HealthState;
  /**
   * The highest change-log seq the node has written; with the top-level's applied seq this is the
   * sync lag the top-level node reports per node (idnode_federation_node_sync_lag_entries).
   */
  lastSeq?: number | string | Long;
  /**
   * ISO 8601 at the node.
   */
  at?: string;
}

export interface HeartbeatRequest__Output {
  nodeId: string;
  /**
   * NOT_SERVING while the node's own readiness fails (store down, draining): the top-level node then
   * answers for its prefixes from the synced copy (emergency takeover) without waiting for silence.
   */
  health: _idnode_v1_HealthState__Output;
  /**
   * The highest change-log seq the node has written; with the top-level's applied seq this is the
   * sync lag the top-level node reports per node (idnode_federation_node_sync_lag_entries).
   */
  lastSeq: number;
  /**
   * ISO 8601 at the node.
   */
  at: string;
}
