// Original file: proto/idnode/v1/registry.proto

import type {
  ErrorDetail as _idnode_v1_ErrorDetail,
  ErrorDetail__Output as _idnode_v1_ErrorDetail__Output,
} from '../../idnode/v1/ErrorDetail.generated.ts';

export interface PrefixClaim {
  prefix?: string;
  /**
   * True when the prefix is delegated to this node.
   */
  confirmed?: boolean;
  /**
   * Set when not confirmed (e.g. IDN_ERR_PREFIX_TAKEN, IDN_ERR_PREFIX_NOT_DELEGATED).
   */
  error?: _idnode_v1_ErrorDetail | null;
}

export interface PrefixClaim__Output {
  prefix: string;
  /**
   * True when the prefix is delegated to this node.
   */
  confirmed: boolean;
  /**
   * Set when not confirmed (e.g. IDN_ERR_PREFIX_TAKEN, IDN_ERR_PREFIX_NOT_DELEGATED).
   */
  error: _idnode_v1_ErrorDetail__Output | null;
}
