// Original file: proto/idnode/v1/registry.proto

import type {
  NodeInfo as _idnode_v1_NodeInfo,
  NodeInfo__Output as _idnode_v1_NodeInfo__Output,
} from '../../idnode/v1/NodeInfo.generated.ts';

export interface RegisterNodeRequest {
  node?: _idnode_v1_NodeInfo | null;
  claimedPrefixes?: string[];
}

export interface RegisterNodeRequest__Output {
  node: _idnode_v1_NodeInfo__Output | null;
  claimedPrefixes: string[];
}
