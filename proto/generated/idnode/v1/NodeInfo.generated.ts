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
  /**
   * The identity in the client certificate the node presents (e.g. a SAN); the server checks it
   * against the mTLS peer, so a node cannot register on behalf of another.
   */
  certIdentity?: string;
}

export interface NodeInfo__Output {
  nodeId: string;
  role: _idnode_v1_NodeRole__Output;
  grpcAddress: string;
  httpAddress: string;
  /**
   * The identity in the client certificate the node presents (e.g. a SAN); the server checks it
   * against the mTLS peer, so a node cannot register on behalf of another.
   */
  certIdentity: string;
}
