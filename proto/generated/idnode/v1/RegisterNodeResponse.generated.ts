// Original file: proto/idnode/v1/registry.proto

import type {
  PrefixClaim as _idnode_v1_PrefixClaim,
  PrefixClaim__Output as _idnode_v1_PrefixClaim__Output,
} from '../../idnode/v1/PrefixClaim.generated.ts';
import type {
  ErrorDetail as _idnode_v1_ErrorDetail,
  ErrorDetail__Output as _idnode_v1_ErrorDetail__Output,
} from '../../idnode/v1/ErrorDetail.generated.ts';

export interface RegisterNodeResponse {
  accepted?: boolean;
  claims?: _idnode_v1_PrefixClaim[];
  heartbeatIntervalSeconds?: number;
  error?: _idnode_v1_ErrorDetail | null;
}

export interface RegisterNodeResponse__Output {
  accepted: boolean;
  claims: _idnode_v1_PrefixClaim__Output[];
  heartbeatIntervalSeconds: number;
  error: _idnode_v1_ErrorDetail__Output | null;
}
