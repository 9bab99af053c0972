// Original file: proto/idnode/v1/sync.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Sent once, first, on every (re)connect.
 */
export interface SyncHello {
  /**
   * The highest contiguous seq of this node already applied; send from resume_from + 1.
   */
  resumeFrom?: number | string | Long;
  /**
   * Flow control: the most entries per batch and un-acked batches the server accepts.
   */
  maxBatchEntries?: number;
  maxUnackedBatches?: number;
}

/**
 * Sent once, first, on every (re)connect.
 */
export interface SyncHello__Output {
  /**
   * The highest contiguous seq of this node already applied; send from resume_from + 1.
   */
  resumeFrom: number;
  /**
   * Flow control: the most entries per batch and un-acked batches the server accepts.
   */
  maxBatchEntries: number;
  maxUnackedBatches: number;
}
