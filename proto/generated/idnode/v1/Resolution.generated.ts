// Original file: proto/idnode/v1/resolution.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  ResolveRequest as _idnode_v1_ResolveRequest,
  ResolveRequest__Output as _idnode_v1_ResolveRequest__Output,
} from '../../idnode/v1/ResolveRequest.generated.ts';
import type {
  ResolveRequestBatch as _idnode_v1_ResolveRequestBatch,
  ResolveRequestBatch__Output as _idnode_v1_ResolveRequestBatch__Output,
} from '../../idnode/v1/ResolveRequestBatch.generated.ts';
import type {
  ResolveResponse as _idnode_v1_ResolveResponse,
  ResolveResponse__Output as _idnode_v1_ResolveResponse__Output,
} from '../../idnode/v1/ResolveResponse.generated.ts';
import type {
  ResolveResponseBatch as _idnode_v1_ResolveResponseBatch,
  ResolveResponseBatch__Output as _idnode_v1_ResolveResponseBatch__Output,
} from '../../idnode/v1/ResolveResponseBatch.generated.ts';

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
   * ResolveStream with many requests per message: the caller sends the misses of one event-loop
   * turn as one batch; the server answers with what completed in one turn, matched by request_id,
   * in any order. A server without it answers UNIMPLEMENTED and the caller uses ResolveStream.
   */
  ResolveBatchStream(
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<_idnode_v1_ResolveRequestBatch, _idnode_v1_ResolveResponseBatch__Output>;
  ResolveBatchStream(
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<_idnode_v1_ResolveRequestBatch, _idnode_v1_ResolveResponseBatch__Output>;
  /**
   * ResolveStream with many requests per message: the caller sends the misses of one event-loop
   * turn as one batch; the server answers with what completed in one turn, matched by request_id,
   * in any order. A server without it answers UNIMPLEMENTED and the caller uses ResolveStream.
   */
  resolveBatchStream(
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<_idnode_v1_ResolveRequestBatch, _idnode_v1_ResolveResponseBatch__Output>;
  resolveBatchStream(
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<_idnode_v1_ResolveRequestBatch, _idnode_v1_ResolveResponseBatch__Output>;

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
   * ResolveStream with many requests per message: the caller sends the misses of one event-loop
   * turn as one batch; the server answers with what completed in one turn, matched by request_id,
   * in any order. A server without it answers UNIMPLEMENTED and the caller uses ResolveStream.
   */
  ResolveBatchStream: grpc.handleBidiStreamingCall<
    _idnode_v1_ResolveRequestBatch__Output,
    _idnode_v1_ResolveResponseBatch
  >;

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
  ResolveBatchStream: MethodDefinition<
    _idnode_v1_ResolveRequestBatch,
    _idnode_v1_ResolveResponseBatch,
    _idnode_v1_ResolveRequestBatch__Output,
    _idnode_v1_ResolveResponseBatch__Output
  >;
  ResolveStream: MethodDefinition<
    _idnode_v1_ResolveRequest,
    _idnode_v1_ResolveResponse,
    _idnode_v1_ResolveRequest__Output,
    _idnode_v1_ResolveResponse__Output
  >;
}
