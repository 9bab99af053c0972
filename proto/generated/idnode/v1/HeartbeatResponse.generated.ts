// Original file: proto/idnode/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartbeatResponse {
  nextHeartbeatSeconds?: number;
  /**
   * The highest seq of this node the top-level node has applied from the sync stream.
   */
  appliedSeq?: number | string | Long;
  /**
   * True while the top-level node answers for this node's prefixes (emergency takeover).
   */
  takeoverActive?: boolean;
}

export interface HeartbeatResponse__Output {
  nextHeartbeatSeconds: number;
  /**
   * The highest seq of this node the top-level node has applied from the sync stream.
   */
  appliedSeq: number;
  /**
   * True while the top-level node answers for this node's prefixes (emergency takeover).
   */
  takeoverActive: boolean;
}
