// Original file: proto/idnode/v1/sync.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
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
  Push: MethodDefinition<
    _idnode_v1_ChangeBatch,
    _idnode_v1_SyncAck,
    _idnode_v1_ChangeBatch__Output,
    _idnode_v1_SyncAck__Output
  >;
}
