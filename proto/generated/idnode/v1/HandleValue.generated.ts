// Original file: proto/idnode/v1/common.proto

import type {
  ValueData as _idnode_v1_ValueData,
  ValueData__Output as _idnode_v1_ValueData__Output,
} from '../../idnode/v1/ValueData.generated.ts';
import type {
  AccessTier as _idnode_v1_AccessTier,
  AccessTier__Output as _idnode_v1_AccessTier__Output,
} from '../../idnode/v1/AccessTier.generated.ts';

/**
 * One typed, indexed value of a record (Handle model).
 */
export interface HandleValue {
  /**
   * 1..2^31-1, unique within a record.
   */
  index?: number;
  /**
   * "URL", "DPP", "LINK", "KIND", "EMAIL", "HS_ADMIN", "HS_SITE", "HS_SECKEY", ...
   */
  type?: string;
  data?: _idnode_v1_ValueData | null;
  /**
   * Seconds a resolver may cache the value.
   */
  ttl?: number;
  /**
   * ISO 8601, when the value was last written.
   */
  timestamp?: string;
  access?: _idnode_v1_AccessTier;
}

/**
 * One typed, indexed value of a record (Handle model).
 */
export interface HandleValue__Output {
  /**
   * 1..2^31-1, unique within a record.
   */
  index: number;
  /**
   * "URL", "DPP", "LINK", "KIND", "EMAIL", "HS_ADMIN", "HS_SITE", "HS_SECKEY", ...
   */
  type: string;
  data: _idnode_v1_ValueData__Output | null;
  /**
   * Seconds a resolver may cache the value.
   */
  ttl: number;
  /**
   * ISO 8601, when the value was last written.
   */
  timestamp: string;
  access: _idnode_v1_AccessTier__Output;
}
