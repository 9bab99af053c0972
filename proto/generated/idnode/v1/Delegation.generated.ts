// Original file: proto/idnode/v1/registry.proto

import type {
  SiteInfo as _idnode_v1_SiteInfo,
  SiteInfo__Output as _idnode_v1_SiteInfo__Output,
} from '../../idnode/v1/SiteInfo.generated.ts';
import type { Long } from '@grpc/proto-loader';

export interface Delegation {
  /**
   * e.g. "88.100".
   */
  prefix?: string;
  nodeId?: string;
  sites?: _idnode_v1_SiteInfo[];
  delegatedAt?: string;
  /**
   * Version of the 0.NA/<prefix> record that stores the delegation.
   */
  version?: number | string | Long;
}

export interface Delegation__Output {
  /**
   * e.g. "88.100".
   */
  prefix: string;
  nodeId: string;
  sites: _idnode_v1_SiteInfo__Output[];
  delegatedAt: string;
  /**
   * Version of the 0.NA/<prefix> record that stores the delegation.
   */
  version: number;
}
