// Original file: proto/idnode/v1/registry.proto

import type {
  Delegation as _idnode_v1_Delegation,
  Delegation__Output as _idnode_v1_Delegation__Output,
} from '../../idnode/v1/Delegation.generated.ts';

export interface LookupPrefixResponse {
  found?: boolean;
  /**
   * The longest delegated prefix covering the request, with its sites.
   */
  delegation?: _idnode_v1_Delegation | null;
}

export interface LookupPrefixResponse__Output {
  found: boolean;
  /**
   * The longest delegated prefix covering the request, with its sites.
   */
  delegation: _idnode_v1_Delegation__Output | null;
}
