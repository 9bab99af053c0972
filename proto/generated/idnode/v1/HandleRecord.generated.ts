// Original file: proto/idnode/v1/common.proto

import type {
  HandleValue as _idnode_v1_HandleValue,
  HandleValue__Output as _idnode_v1_HandleValue__Output,
} from '../../idnode/v1/HandleValue.generated.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * A record as the store keeps it. A tombstone has deleted_at set and no values.
 */
export interface HandleRecord {
  /**
   * The registered spelling (NFC), e.g. "88.100.5/BAT-2025-000001".
   */
  handle?: string;
  values?: _idnode_v1_HandleValue[];
  /**
   * Bumped by every write, never reused for a key; the ETag.
   */
  version?: number | string | Long;
  createdAt?: string;
  updatedAt?: string;
  /**
   * Empty unless the identifier was deleted (its suffix is never reused).
   */
  deletedAt?: string;
}

/**
 * A record as the store keeps it. A tombstone has deleted_at set and no values.
 */
export interface HandleRecord__Output {
  /**
   * The registered spelling (NFC), e.g. "88.100.5/BAT-2025-000001".
   */
  handle: string;
  values: _idnode_v1_HandleValue__Output[];
  /**
   * Bumped by every write, never reused for a key; the ETag.
   */
  version: number;
  createdAt: string;
  updatedAt: string;
  /**
   * Empty unless the identifier was deleted (its suffix is never reused).
   */
  deletedAt: string;
}
