// Original file: proto/idnode/v1/sync.proto

import type {
  SyncHello as _idnode_v1_SyncHello,
  SyncHello__Output as _idnode_v1_SyncHello__Output,
} from '../../idnode/v1/SyncHello.generated.ts';
import type { Ack as _idnode_v1_Ack, Ack__Output as _idnode_v1_Ack__Output } from '../../idnode/v1/Ack.generated.ts';

export interface SyncAck {
  hello?: _idnode_v1_SyncHello | null;
  ack?: _idnode_v1_Ack | null;
  kind?: 'hello' | 'ack';
}

export interface SyncAck__Output {
  hello?: _idnode_v1_SyncHello__Output | null;
  ack?: _idnode_v1_Ack__Output | null;
  kind?: 'hello' | 'ack';
}
