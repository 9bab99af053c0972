// Original file: proto/idnode/v1/registry.proto

import type {
  Delegation as _idnode_v1_Delegation,
  Delegation__Output as _idnode_v1_Delegation__Output,
} from '../../idnode/v1/Delegation.generated.ts';

export interface ListDelegationsResponse {
  delegations?: _idnode_v1_Delegation[];
  /**
   * Empty on the last page.
   */
  nextPageToken?: string;
}

export interface ListDelegationsResponse__Output {
  delegations: _idnode_v1_Delegation__Output[];
  /**
   * Empty on the last page.
   */
  nextPageToken: string;
}
