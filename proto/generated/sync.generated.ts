import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Ack as _idnode_v1_Ack, Ack__Output as _idnode_v1_Ack__Output } from './idnode/v1/Ack.generated.ts';
import type {
  AddCheckpointRequest as _idnode_v1_AddCheckpointRequest,
  AddCheckpointRequest__Output as _idnode_v1_AddCheckpointRequest__Output,
} from './idnode/v1/AddCheckpointRequest.generated.ts';
import type {
  AddCheckpointResponse as _idnode_v1_AddCheckpointResponse,
  AddCheckpointResponse__Output as _idnode_v1_AddCheckpointResponse__Output,
} from './idnode/v1/AddCheckpointResponse.generated.ts';
import type {
  ChangeBatch as _idnode_v1_ChangeBatch,
  ChangeBatch__Output as _idnode_v1_ChangeBatch__Output,
} from './idnode/v1/ChangeBatch.generated.ts';
import type {
  ChangeEntry as _idnode_v1_ChangeEntry,
  ChangeEntry__Output as _idnode_v1_ChangeEntry__Output,
} from './idnode/v1/ChangeEntry.generated.ts';
import type {
  ErrorDetail as _idnode_v1_ErrorDetail,
  ErrorDetail__Output as _idnode_v1_ErrorDetail__Output,
} from './idnode/v1/ErrorDetail.generated.ts';
import type {
  HandleRecord as _idnode_v1_HandleRecord,
  HandleRecord__Output as _idnode_v1_HandleRecord__Output,
} from './idnode/v1/HandleRecord.generated.ts';
import type {
  HandleValue as _idnode_v1_HandleValue,
  HandleValue__Output as _idnode_v1_HandleValue__Output,
} from './idnode/v1/HandleValue.generated.ts';
import type {
  SyncClient as _idnode_v1_SyncClient,
  SyncDefinition as _idnode_v1_SyncDefinition,
} from './idnode/v1/Sync.generated.ts';
import type {
  SyncAck as _idnode_v1_SyncAck,
  SyncAck__Output as _idnode_v1_SyncAck__Output,
} from './idnode/v1/SyncAck.generated.ts';
import type {
  SyncHello as _idnode_v1_SyncHello,
  SyncHello__Output as _idnode_v1_SyncHello__Output,
} from './idnode/v1/SyncHello.generated.ts';
import type {
  ValueData as _idnode_v1_ValueData,
  ValueData__Output as _idnode_v1_ValueData__Output,
} from './idnode/v1/ValueData.generated.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  idnode: {
    v1: {
      AccessTier: EnumTypeDefinition;
      Ack: MessageTypeDefinition<_idnode_v1_Ack, _idnode_v1_Ack__Output>;
      AddCheckpointRequest: MessageTypeDefinition<
        _idnode_v1_AddCheckpointRequest,
        _idnode_v1_AddCheckpointRequest__Output
      >;
      AddCheckpointResponse: MessageTypeDefinition<
        _idnode_v1_AddCheckpointResponse,
        _idnode_v1_AddCheckpointResponse__Output
      >;
      ChangeBatch: MessageTypeDefinition<_idnode_v1_ChangeBatch, _idnode_v1_ChangeBatch__Output>;
      ChangeEntry: MessageTypeDefinition<_idnode_v1_ChangeEntry, _idnode_v1_ChangeEntry__Output>;
      ChangeOp: EnumTypeDefinition;
      ErrorDetail: MessageTypeDefinition<_idnode_v1_ErrorDetail, _idnode_v1_ErrorDetail__Output>;
      HandleRecord: MessageTypeDefinition<_idnode_v1_HandleRecord, _idnode_v1_HandleRecord__Output>;
      HandleValue: MessageTypeDefinition<_idnode_v1_HandleValue, _idnode_v1_HandleValue__Output>;
      Sync: SubtypeConstructor<typeof grpc.Client, _idnode_v1_SyncClient> & { service: _idnode_v1_SyncDefinition };
      SyncAck: MessageTypeDefinition<_idnode_v1_SyncAck, _idnode_v1_SyncAck__Output>;
      SyncHello: MessageTypeDefinition<_idnode_v1_SyncHello, _idnode_v1_SyncHello__Output>;
      ValueData: MessageTypeDefinition<_idnode_v1_ValueData, _idnode_v1_ValueData__Output>;
    };
  };
}
