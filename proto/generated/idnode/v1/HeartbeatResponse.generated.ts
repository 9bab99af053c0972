// Original file: proto/idnode/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartbeatResponse {
  nextHeartbeatSeconds?: number;
  /**
   * The highest seq of this node the top-level node has applied from the sync stream (its durable
   * cursor), so the node sees the top-level's copy even while its sync stream is down.
   */
  appliedSeq?: number | string | Long;
  /**
   * True while the top-level node answers for this node's prefixes (emergency takeover): after this
   * heartbeat, that is while the node reports NOT_SERVING. The node exports it as
   * idnode_federation_takeover_active.
   */
  takeoverActive?: boolean;
}

export interface HeartbeatResponse__Output {
  nextHeartbeatSeconds: number;
  /**
   * The highest seq of this node the top-level node has applied from the sync stream (its durable
   * cursor), so the node sees the top-level's copy even while its sync stream is down.
   */
  appliedSeq: number;
  /**
   * True while the top-level node answers for this node's prefixes (emergency takeover): after this
   * heartbeat, that is while the node reports NOT_SERVING. The node exports it as
   * idnode_federation_takeover_active.
   */
  takeoverActive: boolean;
}
