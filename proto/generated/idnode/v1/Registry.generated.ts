// Original file: proto/idnode/v1/registry.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  DelegationDecision as _idnode_v1_DelegationDecision,
  DelegationDecision__Output as _idnode_v1_DelegationDecision__Output,
} from '../../idnode/v1/DelegationDecision.generated.ts';
import type {
  HeartbeatRequest as _idnode_v1_HeartbeatRequest,
  HeartbeatRequest__Output as _idnode_v1_HeartbeatRequest__Output,
} from '../../idnode/v1/HeartbeatRequest.generated.ts';
import type {
  HeartbeatResponse as _idnode_v1_HeartbeatResponse,
  HeartbeatResponse__Output as _idnode_v1_HeartbeatResponse__Output,
} from '../../idnode/v1/HeartbeatResponse.generated.ts';
import type {
  ListDelegationsRequest as _idnode_v1_ListDelegationsRequest,
  ListDelegationsRequest__Output as _idnode_v1_ListDelegationsRequest__Output,
} from '../../idnode/v1/ListDelegationsRequest.generated.ts';
import type {
  ListDelegationsResponse as _idnode_v1_ListDelegationsResponse,
  ListDelegationsResponse__Output as _idnode_v1_ListDelegationsResponse__Output,
} from '../../idnode/v1/ListDelegationsResponse.generated.ts';
import type {
  LookupPrefixRequest as _idnode_v1_LookupPrefixRequest,
  LookupPrefixRequest__Output as _idnode_v1_LookupPrefixRequest__Output,
} from '../../idnode/v1/LookupPrefixRequest.generated.ts';
import type {
  LookupPrefixResponse as _idnode_v1_LookupPrefixResponse,
  LookupPrefixResponse__Output as _idnode_v1_LookupPrefixResponse__Output,
} from '../../idnode/v1/LookupPrefixResponse.generated.ts';
import type {
  RegisterNodeRequest as _idnode_v1_RegisterNodeRequest,
  RegisterNodeRequest__Output as _idnode_v1_RegisterNodeRequest__Output,
} from '../../idnode/v1/RegisterNodeRequest.generated.ts';
import type {
  RegisterNodeResponse as _idnode_v1_RegisterNodeResponse,
  RegisterNodeResponse__Output as _idnode_v1_RegisterNodeResponse__Output,
} from '../../idnode/v1/RegisterNodeResponse.generated.ts';
import type {
  RequestDelegationRequest as _idnode_v1_RequestDelegationRequest,
  RequestDelegationRequest__Output as _idnode_v1_RequestDelegationRequest__Output,
} from '../../idnode/v1/RequestDelegationRequest.generated.ts';

export interface RegistryClient extends grpc.Client {
  /**
   * Periodic health report (运行监测); the reply says when to report next.
   */
  Heartbeat(
    argument: _idnode_v1_HeartbeatRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_HeartbeatResponse__Output>,
  ): grpc.ClientUnaryCall;
  Heartbeat(
    argument: _idnode_v1_HeartbeatRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_HeartbeatResponse__Output>,
  ): grpc.ClientUnaryCall;
  Heartbeat(
    argument: _idnode_v1_HeartbeatRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_HeartbeatResponse__Output>,
  ): grpc.ClientUnaryCall;
  Heartbeat(
    argument: _idnode_v1_HeartbeatRequest,
    callback: grpc.requestCallback<_idnode_v1_HeartbeatResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Periodic health report (运行监测); the reply says when to report next.
   */
  heartbeat(
    argument: _idnode_v1_HeartbeatRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_HeartbeatResponse__Output>,
  ): grpc.ClientUnaryCall;
  heartbeat(
    argument: _idnode_v1_HeartbeatRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_HeartbeatResponse__Output>,
  ): grpc.ClientUnaryCall;
  heartbeat(
    argument: _idnode_v1_HeartbeatRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_HeartbeatResponse__Output>,
  ): grpc.ClientUnaryCall;
  heartbeat(
    argument: _idnode_v1_HeartbeatRequest,
    callback: grpc.requestCallback<_idnode_v1_HeartbeatResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Page through delegations, optionally under one prefix.
   */
  ListDelegations(
    argument: _idnode_v1_ListDelegationsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_ListDelegationsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListDelegations(
    argument: _idnode_v1_ListDelegationsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_ListDelegationsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListDelegations(
    argument: _idnode_v1_ListDelegationsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_ListDelegationsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListDelegations(
    argument: _idnode_v1_ListDelegationsRequest,
    callback: grpc.requestCallback<_idnode_v1_ListDelegationsResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Page through delegations, optionally under one prefix.
   */
  listDelegations(
    argument: _idnode_v1_ListDelegationsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_ListDelegationsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listDelegations(
    argument: _idnode_v1_ListDelegationsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_ListDelegationsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listDelegations(
    argument: _idnode_v1_ListDelegationsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_ListDelegationsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listDelegations(
    argument: _idnode_v1_ListDelegationsRequest,
    callback: grpc.requestCallback<_idnode_v1_ListDelegationsResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Which node serves prefix P: longest-prefix match over delegations (HS_SITE-style answer).
   */
  LookupPrefix(
    argument: _idnode_v1_LookupPrefixRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_LookupPrefixResponse__Output>,
  ): grpc.ClientUnaryCall;
  LookupPrefix(
    argument: _idnode_v1_LookupPrefixRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_LookupPrefixResponse__Output>,
  ): grpc.ClientUnaryCall;
  LookupPrefix(
    argument: _idnode_v1_LookupPrefixRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_LookupPrefixResponse__Output>,
  ): grpc.ClientUnaryCall;
  LookupPrefix(
    argument: _idnode_v1_LookupPrefixRequest,
    callback: grpc.requestCallback<_idnode_v1_LookupPrefixResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Which node serves prefix P: longest-prefix match over delegations (HS_SITE-style answer).
   */
  lookupPrefix(
    argument: _idnode_v1_LookupPrefixRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_LookupPrefixResponse__Output>,
  ): grpc.ClientUnaryCall;
  lookupPrefix(
    argument: _idnode_v1_LookupPrefixRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_LookupPrefixResponse__Output>,
  ): grpc.ClientUnaryCall;
  lookupPrefix(
    argument: _idnode_v1_LookupPrefixRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_LookupPrefixResponse__Output>,
  ): grpc.ClientUnaryCall;
  lookupPrefix(
    argument: _idnode_v1_LookupPrefixRequest,
    callback: grpc.requestCallback<_idnode_v1_LookupPrefixResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * A node announces itself (and the prefixes it believes it serves). Idempotent.
   */
  RegisterNode(
    argument: _idnode_v1_RegisterNodeRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_RegisterNodeResponse__Output>,
  ): grpc.ClientUnaryCall;
  RegisterNode(
    argument: _idnode_v1_RegisterNodeRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_RegisterNodeResponse__Output>,
  ): grpc.ClientUnaryCall;
  RegisterNode(
    argument: _idnode_v1_RegisterNodeRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_RegisterNodeResponse__Output>,
  ): grpc.ClientUnaryCall;
  RegisterNode(
    argument: _idnode_v1_RegisterNodeRequest,
    callback: grpc.requestCallback<_idnode_v1_RegisterNodeResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * A node announces itself (and the prefixes it believes it serves). Idempotent.
   */
  registerNode(
    argument: _idnode_v1_RegisterNodeRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_RegisterNodeResponse__Output>,
  ): grpc.ClientUnaryCall;
  registerNode(
    argument: _idnode_v1_RegisterNodeRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_RegisterNodeResponse__Output>,
  ): grpc.ClientUnaryCall;
  registerNode(
    argument: _idnode_v1_RegisterNodeRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_RegisterNodeResponse__Output>,
  ): grpc.ClientUnaryCall;
  registerNode(
    argument: _idnode_v1_RegisterNodeRequest,
    callback: grpc.requestCallback<_idnode_v1_RegisterNodeResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Ask for a prefix to be delegated to a node. A prefix is delegated once; moving it needs transfer.
   */
  RequestDelegation(
    argument: _idnode_v1_RequestDelegationRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_DelegationDecision__Output>,
  ): grpc.ClientUnaryCall;
  RequestDelegation(
    argument: _idnode_v1_RequestDelegationRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_DelegationDecision__Output>,
  ): grpc.ClientUnaryCall;
  RequestDelegation(
    argument: _idnode_v1_RequestDelegationRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_DelegationDecision__Output>,
  ): grpc.ClientUnaryCall;
  RequestDelegation(
    argument: _idnode_v1_RequestDelegationRequest,
    callback: grpc.requestCallback<_idnode_v1_DelegationDecision__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Ask for a prefix to be delegated to a node. A prefix is delegated once; moving it needs transfer.
   */
  requestDelegation(
    argument: _idnode_v1_RequestDelegationRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_DelegationDecision__Output>,
  ): grpc.ClientUnaryCall;
  requestDelegation(
    argument: _idnode_v1_RequestDelegationRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_DelegationDecision__Output>,
  ): grpc.ClientUnaryCall;
  requestDelegation(
    argument: _idnode_v1_RequestDelegationRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_DelegationDecision__Output>,
  ): grpc.ClientUnaryCall;
  requestDelegation(
    argument: _idnode_v1_RequestDelegationRequest,
    callback: grpc.requestCallback<_idnode_v1_DelegationDecision__Output>,
  ): grpc.ClientUnaryCall;
}

export interface RegistryHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Periodic health report (运行监测); the reply says when to report next.
   */
  Heartbeat: grpc.handleUnaryCall<_idnode_v1_HeartbeatRequest__Output, _idnode_v1_HeartbeatResponse>;

  /**
   * Page through delegations, optionally under one prefix.
   */
  ListDelegations: grpc.handleUnaryCall<_idnode_v1_ListDelegationsRequest__Output, _idnode_v1_ListDelegationsResponse>;

  /**
   * Which node serves prefix P: longest-prefix match over delegations (HS_SITE-style answer).
   */
  LookupPrefix: grpc.handleUnaryCall<_idnode_v1_LookupPrefixRequest__Output, _idnode_v1_LookupPrefixResponse>;

  /**
   * A node announces itself (and the prefixes it believes it serves). Idempotent.
   */
  RegisterNode: grpc.handleUnaryCall<_idnode_v1_RegisterNodeRequest__Output, _idnode_v1_RegisterNodeResponse>;

  /**
   * Ask for a prefix to be delegated to a node. A prefix is delegated once; moving it needs transfer.
   */
  RequestDelegation: grpc.handleUnaryCall<_idnode_v1_RequestDelegationRequest__Output, _idnode_v1_DelegationDecision>;
}

export interface RegistryDefinition extends grpc.ServiceDefinition {
  Heartbeat: MethodDefinition<
    _idnode_v1_HeartbeatRequest,
    _idnode_v1_HeartbeatResponse,
    _idnode_v1_HeartbeatRequest__Output,
    _idnode_v1_HeartbeatResponse__Output
  >;
  ListDelegations: MethodDefinition<
    _idnode_v1_ListDelegationsRequest,
    _idnode_v1_ListDelegationsResponse,
    _idnode_v1_ListDelegationsRequest__Output,
    _idnode_v1_ListDelegationsResponse__Output
  >;
  LookupPrefix: MethodDefinition<
    _idnode_v1_LookupPrefixRequest,
    _idnode_v1_LookupPrefixResponse,
    _idnode_v1_LookupPrefixRequest__Output,
    _idnode_v1_LookupPrefixResponse__Output
  >;
  RegisterNode: MethodDefinition<
    _idnode_v1_RegisterNodeRequest,
    _idnode_v1_RegisterNodeResponse,
    _idnode_v1_RegisterNodeRequest__Output,
    _idnode_v1_RegisterNodeResponse__Output
  >;
  RequestDelegation: MethodDefinition<
    _idnode_v1_RequestDelegationRequest,
    _idnode_v1_DelegationDecision,
    _idnode_v1_RequestDelegationRequest__Output,
    _idnode_v1_DelegationDecision__Output
  >;
}
