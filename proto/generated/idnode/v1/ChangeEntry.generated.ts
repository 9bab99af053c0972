// Original file: proto/idnode/v1/sync.proto

import type {
  ChangeOp as _idnode_v1_ChangeOp,
  ChangeOp__Output as _idnode_v1_ChangeOp__Output,
} from '../../idnode/v1/ChangeOp.generated.ts';
import type {
  HandleRecord as _idnode_v1_HandleRecord,
  HandleRecord__Output as _idnode_v1_HandleRecord__Output,
} from '../../idnode/v1/HandleRecord.generated.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * One entry of the secondary's durable change log (node/src/store/store.ts ChangeEntry).
 */
export interface ChangeEntry {
  /**
   * Gap-free and increasing per node.
   */
  seq?: number | string | Long;
  /**
   * The store key (lower-cased handle).
   */
  key?: string;
  op?: _idnode_v1_ChangeOp;
  version?: number | string | Long;
  previousVersion?: number | string | Long;
  record?: _idnode_v1_HandleRecord | null;
  actor?: string;
  /**
   * ISO 8601.
   */
  at?: string;
  reason?: string;
}

/**
 * One entry of the secondary's durable change log (node/src/store/store.ts ChangeEntry).
 */
export interface ChangeEntry__Output {
  /**
   * Gap-free and increasing per node.
   */
  seq: number;
  /**
   * The store key (lower-cased handle).
   */
  key: string;
  op: _idnode_v1_ChangeOp__Output;
  version: number;
  previousVersion: number;
  record: _idnode_v1_HandleRecord__Output | null;
  actor: string;
  /**
   * ISO 8601.
   */
  at: string;
  reason: string;
}
