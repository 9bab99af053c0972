// Original file: proto/idnode/v1/sync.proto

import type {
  ChangeEntry as _idnode_v1_ChangeEntry,
  ChangeEntry__Output as _idnode_v1_ChangeEntry__Output,
} from '../../idnode/v1/ChangeEntry.generated.ts';

export interface ChangeBatch {
  /**
   * Must match the stream's authenticated node.
   */
  nodeId?: string;
  /**
   * Entries in seq order, contiguous within the batch.
   */
  entries?: _idnode_v1_ChangeEntry[];
}

export interface ChangeBatch__Output {
  /**
   * Must match the stream's authenticated node.
   */
  nodeId: string;
  /**
   * Entries in seq order, contiguous within the batch.
   */
  entries: _idnode_v1_ChangeEntry__Output[];
}
