import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

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
  Referral as _idnode_v1_Referral,
  Referral__Output as _idnode_v1_Referral__Output,
} from './idnode/v1/Referral.generated.ts';
import type {
  ResolutionClient as _idnode_v1_ResolutionClient,
  ResolutionDefinition as _idnode_v1_ResolutionDefinition,
} from './idnode/v1/Resolution.generated.ts';
import type {
  ResolveRequest as _idnode_v1_ResolveRequest,
  ResolveRequest__Output as _idnode_v1_ResolveRequest__Output,
} from './idnode/v1/ResolveRequest.generated.ts';
import type {
  ResolveRequestBatch as _idnode_v1_ResolveRequestBatch,
  ResolveRequestBatch__Output as _idnode_v1_ResolveRequestBatch__Output,
} from './idnode/v1/ResolveRequestBatch.generated.ts';
import type {
  ResolveResponse as _idnode_v1_ResolveResponse,
  ResolveResponse__Output as _idnode_v1_ResolveResponse__Output,
} from './idnode/v1/ResolveResponse.generated.ts';
import type {
  ResolveResponseBatch as _idnode_v1_ResolveResponseBatch,
  ResolveResponseBatch__Output as _idnode_v1_ResolveResponseBatch__Output,
} from './idnode/v1/ResolveResponseBatch.generated.ts';
import type {
  SignedAnswer as _idnode_v1_SignedAnswer,
  SignedAnswer__Output as _idnode_v1_SignedAnswer__Output,
} from './idnode/v1/SignedAnswer.generated.ts';
import type {
  TraceSpan as _idnode_v1_TraceSpan,
  TraceSpan__Output as _idnode_v1_TraceSpan__Output,
} from './idnode/v1/TraceSpan.generated.ts';
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
      ErrorDetail: MessageTypeDefinition<_idnode_v1_ErrorDetail, _idnode_v1_ErrorDetail__Output>;
      HandleRecord: MessageTypeDefinition<_idnode_v1_HandleRecord, _idnode_v1_HandleRecord__Output>;
      HandleValue: MessageTypeDefinition<_idnode_v1_HandleValue, _idnode_v1_HandleValue__Output>;
      Referral: MessageTypeDefinition<_idnode_v1_Referral, _idnode_v1_Referral__Output>;
      Resolution: SubtypeConstructor<typeof grpc.Client, _idnode_v1_ResolutionClient> & {
        service: _idnode_v1_ResolutionDefinition;
      };
      ResolveRequest: MessageTypeDefinition<_idnode_v1_ResolveRequest, _idnode_v1_ResolveRequest__Output>;
      ResolveRequestBatch: MessageTypeDefinition<
        _idnode_v1_ResolveRequestBatch,
        _idnode_v1_ResolveRequestBatch__Output
      >;
      ResolveResponse: MessageTypeDefinition<_idnode_v1_ResolveResponse, _idnode_v1_ResolveResponse__Output>;
      ResolveResponseBatch: MessageTypeDefinition<
        _idnode_v1_ResolveResponseBatch,
        _idnode_v1_ResolveResponseBatch__Output
      >;
      ResolveStatus: EnumTypeDefinition;
      SignedAnswer: MessageTypeDefinition<_idnode_v1_SignedAnswer, _idnode_v1_SignedAnswer__Output>;
      TraceSpan: MessageTypeDefinition<_idnode_v1_TraceSpan, _idnode_v1_TraceSpan__Output>;
      ValueData: MessageTypeDefinition<_idnode_v1_ValueData, _idnode_v1_ValueData__Output>;
    };
  };
}
