// Original file: proto/idnode/v1/registry.proto

import type {
  NodeRole as _idnode_v1_NodeRole,
  NodeRole__Output as _idnode_v1_NodeRole__Output,
} from '../../idnode/v1/NodeRole.generated.ts';

export interface NodeInfo {
  nodeId?: string;
  role?: _idnode_v1_NodeRole;
  grpcAddress?: string;
  httpAddress?: string;
}

export interface NodeInfo__Output {
  nodeId: string;
  role: _idnode_v1_NodeRole__Output;
  grpcAddress: string;
  httpAddress: string;
}
