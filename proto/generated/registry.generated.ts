import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  Delegation as _idnode_v1_Delegation,
  Delegation__Output as _idnode_v1_Delegation__Output,
} from './idnode/v1/Delegation.generated.ts';
import type {
  DelegationDecision as _idnode_v1_DelegationDecision,
  DelegationDecision__Output as _idnode_v1_DelegationDecision__Output,
} from './idnode/v1/DelegationDecision.generated.ts';
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
  HeartbeatRequest as _idnode_v1_HeartbeatRequest,
  HeartbeatRequest__Output as _idnode_v1_HeartbeatRequest__Output,
} from './idnode/v1/HeartbeatRequest.generated.ts';
import type {
  HeartbeatResponse as _idnode_v1_HeartbeatResponse,
  HeartbeatResponse__Output as _idnode_v1_HeartbeatResponse__Output,
} from './idnode/v1/HeartbeatResponse.generated.ts';
import type {
  ListDelegationsRequest as _idnode_v1_ListDelegationsRequest,
  ListDelegationsRequest__Output as _idnode_v1_ListDelegationsRequest__Output,
} from './idnode/v1/ListDelegationsRequest.generated.ts';
import type {
  ListDelegationsResponse as _idnode_v1_ListDelegationsResponse,
  ListDelegationsResponse__Output as _idnode_v1_ListDelegationsResponse__Output,
} from './idnode/v1/ListDelegationsResponse.generated.ts';
import type {
  LookupPrefixRequest as _idnode_v1_LookupPrefixRequest,
  LookupPrefixRequest__Output as _idnode_v1_LookupPrefixRequest__Output,
} from './idnode/v1/LookupPrefixRequest.generated.ts';
import type {
  LookupPrefixResponse as _idnode_v1_LookupPrefixResponse,
  LookupPrefixResponse__Output as _idnode_v1_LookupPrefixResponse__Output,
} from './idnode/v1/LookupPrefixResponse.generated.ts';
import type {
  NodeInfo as _idnode_v1_NodeInfo,
  NodeInfo__Output as _idnode_v1_NodeInfo__Output,
} from './idnode/v1/NodeInfo.generated.ts';
import type {
  PrefixClaim as _idnode_v1_PrefixClaim,
  PrefixClaim__Output as _idnode_v1_PrefixClaim__Output,
} from './idnode/v1/PrefixClaim.generated.ts';
import type {
  RegisterNodeRequest as _idnode_v1_RegisterNodeRequest,
  RegisterNodeRequest__Output as _idnode_v1_RegisterNodeRequest__Output,
} from './idnode/v1/RegisterNodeRequest.generated.ts';
import type {
  RegisterNodeResponse as _idnode_v1_RegisterNodeResponse,
  RegisterNodeResponse__Output as _idnode_v1_RegisterNodeResponse__Output,
} from './idnode/v1/RegisterNodeResponse.generated.ts';
import type {
  RegistryClient as _idnode_v1_RegistryClient,
  RegistryDefinition as _idnode_v1_RegistryDefinition,
} from './idnode/v1/Registry.generated.ts';
import type {
  RequestDelegationRequest as _idnode_v1_RequestDelegationRequest,
  RequestDelegationRequest__Output as _idnode_v1_RequestDelegationRequest__Output,
} from './idnode/v1/RequestDelegationRequest.generated.ts';
import type {
  SiteInfo as _idnode_v1_SiteInfo,
  SiteInfo__Output as _idnode_v1_SiteInfo__Output,
} from './idnode/v1/SiteInfo.generated.ts';
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
      Decision: EnumTypeDefinition;
      Delegation: MessageTypeDefinition<_idnode_v1_Delegation, _idnode_v1_Delegation__Output>;
      DelegationDecision: MessageTypeDefinition<_idnode_v1_DelegationDecision, _idnode_v1_DelegationDecision__Output>;
      ErrorDetail: MessageTypeDefinition<_idnode_v1_ErrorDetail, _idnode_v1_ErrorDetail__Output>;
      HandleRecord: MessageTypeDefinition<_idnode_v1_HandleRecord, _idnode_v1_HandleRecord__Output>;
      HandleValue: MessageTypeDefinition<_idnode_v1_HandleValue, _idnode_v1_HandleValue__Output>;
      HealthState: EnumTypeDefinition;
      HeartbeatRequest: MessageTypeDefinition<_idnode_v1_HeartbeatRequest, _idnode_v1_HeartbeatRequest__Output>;
      HeartbeatResponse: MessageTypeDefinition<_idnode_v1_HeartbeatResponse, _idnode_v1_HeartbeatResponse__Output>;
      ListDelegationsRequest: MessageTypeDefinition<
        _idnode_v1_ListDelegationsRequest,
        _idnode_v1_ListDelegationsRequest__Output
      >;
      ListDelegationsResponse: MessageTypeDefinition<
        _idnode_v1_ListDelegationsResponse,
        _idnode_v1_ListDelegationsResponse__Output
      >;
      LookupPrefixRequest: MessageTypeDefinition<
        _idnode_v1_LookupPrefixRequest,
        _idnode_v1_LookupPrefixRequest__Output
      >;
      LookupPrefixResponse: MessageTypeDefinition<
        _idnode_v1_LookupPrefixResponse,
        _idnode_v1_LookupPrefixResponse__Output
      >;
      NodeInfo: MessageTypeDefinition<_idnode_v1_NodeInfo, _idnode_v1_NodeInfo__Output>;
      NodeRole: EnumTypeDefinition;
      PrefixClaim: MessageTypeDefinition<_idnode_v1_PrefixClaim, _idnode_v1_PrefixClaim__Output>;
      RegisterNodeRequest: MessageTypeDefinition<
        _idnode_v1_RegisterNodeRequest,
        _idnode_v1_RegisterNodeRequest__Output
      >;
      RegisterNodeResponse: MessageTypeDefinition<
        _idnode_v1_RegisterNodeResponse,
        _idnode_v1_RegisterNodeResponse__Output
      >;
      Registry: SubtypeConstructor<typeof grpc.Client, _idnode_v1_RegistryClient> & {
        service: _idnode_v1_RegistryDefinition;
      };
      RequestDelegationRequest: MessageTypeDefinition<
        _idnode_v1_RequestDelegationRequest,
        _idnode_v1_RequestDelegationRequest__Output
      >;
      SiteInfo: MessageTypeDefinition<_idnode_v1_SiteInfo, _idnode_v1_SiteInfo__Output>;
      ValueData: MessageTypeDefinition<_idnode_v1_ValueData, _idnode_v1_ValueData__Output>;
    };
  };
}
