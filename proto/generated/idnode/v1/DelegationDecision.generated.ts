// Original file: proto/idnode/v1/registry.proto

import type {
  Decision as _idnode_v1_Decision,
  Decision__Output as _idnode_v1_Decision__Output,
} from '../../idnode/v1/Decision.generated.ts';
import type {
  Delegation as _idnode_v1_Delegation,
  Delegation__Output as _idnode_v1_Delegation__Output,
} from '../../idnode/v1/Delegation.generated.ts';
import type {
  ErrorDetail as _idnode_v1_ErrorDetail,
  ErrorDetail__Output as _idnode_v1_ErrorDetail__Output,
} from '../../idnode/v1/ErrorDetail.generated.ts';

export interface DelegationDecision {
  decision?: _idnode_v1_Decision;
  delegation?: _idnode_v1_Delegation | null;
  /**
   * Why, when REJECTED.
   */
  error?: _idnode_v1_ErrorDetail | null;
}

export interface DelegationDecision__Output {
  decision: _idnode_v1_Decision__Output;
  delegation: _idnode_v1_Delegation__Output | null;
  /**
   * Why, when REJECTED.
   */
  error: _idnode_v1_ErrorDetail__Output | null;
}
