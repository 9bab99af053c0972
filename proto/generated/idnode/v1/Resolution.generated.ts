// Original file: proto/idnode/v1/resolution.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  ResolveRequest as _idnode_v1_ResolveRequest,
  ResolveRequest__Output as _idnode_v1_ResolveRequest__Output,
} from '../../idnode/v1/ResolveRequest.generated.ts';
import type {
  ResolveResponse as _idnode_v1_ResolveResponse,
  ResolveResponse__Output as _idnode_v1_ResolveResponse__Output,
} from '../../idnode/v1/ResolveResponse.generated.ts';

export interface ResolutionClient extends grpc.Client {
  /**
   * One identifier, one answer. Callers set a deadline on every call.
   */
  Resolve(
    argument: _idnode_v1_ResolveRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_ResolveResponse__Output>,
  ): grpc.ClientUnaryCall;
  Resolve(
    argument: _idnode_v1_ResolveRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_ResolveResponse__Output>,
  ): grpc.ClientUnaryCall;
  Resolve(
    argument: _idnode_v1_ResolveRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_ResolveResponse__Output>,
  ): grpc.ClientUnaryCall;
  Resolve(
    argument: _idnode_v1_ResolveRequest,
    callback: grpc.requestCallback<_idnode_v1_ResolveResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * One identifier, one answer. Callers set a deadline on every call.
   */
  resolve(
    argument: _idnode_v1_ResolveRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_ResolveResponse__Output>,
  ): grpc.ClientUnaryCall;
  resolve(
    argument: _idnode_v1_ResolveRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_ResolveResponse__Output>,
  ): grpc.ClientUnaryCall;
  resolve(
    argument: _idnode_v1_ResolveRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_ResolveResponse__Output>,
  ): grpc.ClientUnaryCall;
  resolve(
    argument: _idnode_v1_ResolveRequest,
    callback: grpc.requestCallback<_idnode_v1_ResolveResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * A long-lived stream that multiplexes concurrent cache misses: answers may arrive in any
   * order and are matched to requests by request_id. Either side may half-close at any time.
   */
  ResolveStream(
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<_idnode_v1_ResolveRequest, _idnode_v1_ResolveResponse__Output>;
  ResolveStream(
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<_idnode_v1_ResolveRequest, _idnode_v1_ResolveResponse__Output>;
  /**
   * A long-lived stream that multiplexes concurrent cache misses: answers may arrive in any
   * order and are matched to requests by request_id. Either side may half-close at any time.
   */
  resolveStream(
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<_idnode_v1_ResolveRequest, _idnode_v1_ResolveResponse__Output>;
  resolveStream(
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<_idnode_v1_ResolveRequest, _idnode_v1_ResolveResponse__Output>;
}

export interface ResolutionHandlers extends grpc.UntypedServiceImplementation {
  /**
   * One identifier, one answer. Callers set a deadline on every call.
   */
  Resolve: grpc.handleUnaryCall<_idnode_v1_ResolveRequest__Output, _idnode_v1_ResolveResponse>;

  /**
   * A long-lived stream that multiplexes concurrent cache misses: answers may arrive in any
   * order and are matched to requests by request_id. Either side may half-close at any time.
   */
  ResolveStream: grpc.handleBidiStreamingCall<_idnode_v1_ResolveRequest__Output, _idnode_v1_ResolveResponse>;
}

export interface ResolutionDefinition extends grpc.ServiceDefinition {
  Resolve: MethodDefinition<
    _idnode_v1_ResolveRequest,
    _idnode_v1_ResolveResponse,
    _idnode_v1_ResolveRequest__Output,
    _idnode_v1_ResolveResponse__Output
  >;
  ResolveStream: MethodDefinition<
    _idnode_v1_ResolveRequest,
    _idnode_v1_ResolveResponse,
    _idnode_v1_ResolveRequest__Output,
    _idnode_v1_ResolveResponse__Output
  >;
}
