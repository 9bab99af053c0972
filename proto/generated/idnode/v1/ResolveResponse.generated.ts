// Original file: proto/idnode/v1/resolution.proto

import type {
  ResolveStatus as _idnode_v1_ResolveStatus,
  ResolveStatus__Output as _idnode_v1_ResolveStatus__Output,
} from '../../idnode/v1/ResolveStatus.generated.ts';
import type {
  HandleRecord as _idnode_v1_HandleRecord,
  HandleRecord__Output as _idnode_v1_HandleRecord__Output,
} from '../../idnode/v1/HandleRecord.generated.ts';
import type {
  Referral as _idnode_v1_Referral,
  Referral__Output as _idnode_v1_Referral__Output,
} from '../../idnode/v1/Referral.generated.ts';
import type {
  ErrorDetail as _idnode_v1_ErrorDetail,
  ErrorDetail__Output as _idnode_v1_ErrorDetail__Output,
} from '../../idnode/v1/ErrorDetail.generated.ts';
import type {
  TraceSpan as _idnode_v1_TraceSpan,
  TraceSpan__Output as _idnode_v1_TraceSpan__Output,
} from '../../idnode/v1/TraceSpan.generated.ts';

export interface ResolveResponse {
  /**
   * Echo of ResolveRequest.request_id.
   */
  requestId?: string;
  status?: _idnode_v1_ResolveStatus;
  /**
   * For FOUND (values already filtered for the caller's tier) and GONE (the tombstone).
   */
  record?: _idnode_v1_HandleRecord | null;
  /**
   * True when the answering node homes the prefix. False for emergency-takeover answers
   * (应急接管) served by the top-level node from its synced copy of a secondary's data.
   */
  authoritative?: boolean;
  referral?: _idnode_v1_Referral | null;
  error?: _idnode_v1_ErrorDetail | null;
  /**
   * Cache hints in seconds: ttl for FOUND/GONE (min of the values' ttl), negative_ttl for NOT_FOUND.
   */
  ttl?: number;
  negativeTtl?: number;
  /**
   * The node that produced the answer.
   */
  servedBy?: string;
  /**
   * Only when ResolveRequest.trace was set: the steps this node took, in the order they started.
   */
  trace?: _idnode_v1_TraceSpan[];
}

export interface ResolveResponse__Output {
  /**
   * Echo of ResolveRequest.request_id.
   */
  requestId: string;
  status: _idnode_v1_ResolveStatus__Output;
  /**
   * For FOUND (values already filtered for the caller's tier) and GONE (the tombstone).
   */
  record: _idnode_v1_HandleRecord__Output | null;
  /**
   * True when the answering node homes the prefix. False for emergency-takeover answers
   * (应急接管) served by the top-level node from its synced copy of a secondary's data.
   */
  authoritative: boolean;
  referral: _idnode_v1_Referral__Output | null;
  error: _idnode_v1_ErrorDetail__Output | null;
  /**
   * Cache hints in seconds: ttl for FOUND/GONE (min of the values' ttl), negative_ttl for NOT_FOUND.
   */
  ttl: number;
  negativeTtl: number;
  /**
   * The node that produced the answer.
   */
  servedBy: string;
  /**
   * Only when ResolveRequest.trace was set: the steps this node took, in the order they started.
   */
  trace: _idnode_v1_TraceSpan__Output[];
}
