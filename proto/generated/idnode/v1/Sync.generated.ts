// Original file: proto/idnode/v1/sync.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  AddCheckpointRequest as _idnode_v1_AddCheckpointRequest,
  AddCheckpointRequest__Output as _idnode_v1_AddCheckpointRequest__Output,
} from '../../idnode/v1/AddCheckpointRequest.generated.ts';
import type {
  AddCheckpointResponse as _idnode_v1_AddCheckpointResponse,
  AddCheckpointResponse__Output as _idnode_v1_AddCheckpointResponse__Output,
} from '../../idnode/v1/AddCheckpointResponse.generated.ts';
import type {
  ChangeBatch as _idnode_v1_ChangeBatch,
  ChangeBatch__Output as _idnode_v1_ChangeBatch__Output,
} from '../../idnode/v1/ChangeBatch.generated.ts';
import type {
  SyncAck as _idnode_v1_SyncAck,
  SyncAck__Output as _idnode_v1_SyncAck__Output,
} from '../../idnode/v1/SyncAck.generated.ts';

export interface SyncClient extends grpc.Client {
  /**
   * The top-level node as a C2SP tlog-witness (v1.0.0 add-checkpoint, over gRPC): the secondary
   * presents its latest signed checkpoint with a consistency proof from the size the witness last
   * cosigned; the witness verifies, persists and answers with its cosignature/v1 line. Refusals
   * are answered in AddCheckpointResponse.error (IDN_ERR_WITNESS_*), not as a call failure.
   */
  AddCheckpoint(
    argument: _idnode_v1_AddCheckpointRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_AddCheckpointResponse__Output>,
  ): grpc.ClientUnaryCall;
  AddCheckpoint(
    argument: _idnode_v1_AddCheckpointRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_AddCheckpointResponse__Output>,
  ): grpc.ClientUnaryCall;
  AddCheckpoint(
    argument: _idnode_v1_AddCheckpointRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_AddCheckpointResponse__Output>,
  ): grpc.ClientUnaryCall;
  AddCheckpoint(
    argument: _idnode_v1_AddCheckpointRequest,
    callback: grpc.requestCallback<_idnode_v1_AddCheckpointResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * The top-level node as a C2SP tlog-witness (v1.0.0 add-checkpoint, over gRPC): the secondary
   * presents its latest signed checkpoint with a consistency proof from the size the witness last
   * cosigned; the witness verifies, persists and answers with its cosignature/v1 line. Refusals
   * are answered in AddCheckpointResponse.error (IDN_ERR_WITNESS_*), not as a call failure.
   */
  addCheckpoint(
    argument: _idnode_v1_AddCheckpointRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_AddCheckpointResponse__Output>,
  ): grpc.ClientUnaryCall;
  addCheckpoint(
    argument: _idnode_v1_AddCheckpointRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_idnode_v1_AddCheckpointResponse__Output>,
  ): grpc.ClientUnaryCall;
  addCheckpoint(
    argument: _idnode_v1_AddCheckpointRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_idnode_v1_AddCheckpointResponse__Output>,
  ): grpc.ClientUnaryCall;
  addCheckpoint(
    argument: _idnode_v1_AddCheckpointRequest,
    callback: grpc.requestCallback<_idnode_v1_AddCheckpointResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Opened by the secondary. The server identifies the secondary by its mTLS certificate
   * (metadata "idnode-node-id" must agree) and FIRST sends a SyncAck carrying SyncHello with the
   * last seq it applied; the secondary then sends ChangeBatch messages from resume_from + 1.
   * The server acks the highest contiguous seq applied. Apply is idempotent: entries at or below
   * the applied seq for (node, seq) are skipped, and a record is only replaced by a higher version,
   * so resending after any cut is always safe and nothing is lost.
   */
  Push(
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<_idnode_v1_ChangeBatch, _idnode_v1_SyncAck__Output>;
  Push(options?: grpc.CallOptions): grpc.ClientDuplexStream<_idnode_v1_ChangeBatch, _idnode_v1_SyncAck__Output>;
  /**
   * Opened by the secondary. The server identifies the secondary by its mTLS certificate
   * (metadata "idnode-node-id" must agree) and FIRST sends a SyncAck carrying SyncHello with the
   * last seq it applied; the secondary then sends ChangeBatch messages from resume_from + 1.
   * The server acks the highest contiguous seq applied. Apply is idempotent: entries at or below
   * the applied seq for (node, seq) are skipped, and a record is only replaced by a higher version,
   * so resending after any cut is always safe and nothing is lost.
   */
  push(
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<_idnode_v1_ChangeBatch, _idnode_v1_SyncAck__Output>;
  push(options?: grpc.CallOptions): grpc.ClientDuplexStream<_idnode_v1_ChangeBatch, _idnode_v1_SyncAck__Output>;
}

export interface SyncHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The top-level node as a C2SP tlog-witness (v1.0.0 add-checkpoint, over gRPC): the secondary
   * presents its latest signed checkpoint with a consistency proof from the size the witness last
   * cosigned; the witness verifies, persists and answers with its cosignature/v1 line. Refusals
   * are answered in AddCheckpointResponse.error (IDN_ERR_WITNESS_*), not as a call failure.
   */
  AddCheckpoint: grpc.handleUnaryCall<_idnode_v1_AddCheckpointRequest__Output, _idnode_v1_AddCheckpointResponse>;

  /**
   * Opened by the secondary. The server identifies the secondary by its mTLS certificate
   * (metadata "idnode-node-id" must agree) and FIRST sends a SyncAck carrying SyncHello with the
   * last seq it applied; the secondary then sends ChangeBatch messages from resume_from + 1.
   * The server acks the highest contiguous seq applied. Apply is idempotent: entries at or below
   * the applied seq for (node, seq) are skipped, and a record is only replaced by a higher version,
   * so resending after any cut is always safe and nothing is lost.
   */
  Push: grpc.handleBidiStreamingCall<_idnode_v1_ChangeBatch__Output, _idnode_v1_SyncAck>;
}

export interface SyncDefinition extends grpc.ServiceDefinition {
  AddCheckpoint: MethodDefinition<
    _idnode_v1_AddCheckpointRequest,
    _idnode_v1_AddCheckpointResponse,
    _idnode_v1_AddCheckpointRequest__Output,
    _idnode_v1_AddCheckpointResponse__Output
  >;
  Push: MethodDefinition<
    _idnode_v1_ChangeBatch,
    _idnode_v1_SyncAck,
    _idnode_v1_ChangeBatch__Output,
    _idnode_v1_SyncAck__Output
  >;
}
