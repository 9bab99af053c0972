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
import type {
  SignedAnswer as _idnode_v1_SignedAnswer,
  SignedAnswer__Output as _idnode_v1_SignedAnswer__Output,
} from '../../idnode/v1/SignedAnswer.generated.ts';

export interface ResolveResponse {
  /**
   * Echo of ResolveRequest.request_id.
   */
  requestId?: string;
  status?: _idnode_v1_ResolveStatus;
  /**
   * For FOUND (PUBLIC values only: see ResolveRequest's retired fields) and GONE (the tombstone).
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
   * Cache hints in seconds, 0 = no hint. The asking node caches the answer no longer than this (its
   * own bounds still apply). ttl for FOUND: the least ttl of the record's values (of all its values,
   * not only the ones sent), and never more than the hint the answering node itself got upstream.
   */
  ttl?: number;
  /**
   * For NOT_FOUND and GONE: how long the answering node lets a negative answer be believed (its own
   * negative-cache time), so a new registration shows up at every asking node that soon.
   */
  negativeTtl?: number;
  /**
   * The node that produced the answer.
   */
  servedBy?: string;
  /**
   * Only when ResolveRequest.trace was set: the steps this node took, in the order they started.
   */
  trace?: _idnode_v1_TraceSpan[];
  /**
   * FOUND only, set when no exact record answered: how the answer was derived, "template", "batch",
   * "model" or "enterprise" (the answering node's x-idnode-resolved-via header), so an asking node
   * tells its readers the same. Empty for the identifier's own record. A string, not an enum:
   * readers treat an unknown enum value as unspecified, which here would pass a derived answer off
   * as the identifier's own record; an unknown string is refused instead.
   */
  resolvedVia?: string;
  /**
   * The handle of the record that answered a derived answer (x-idnode-resolved-from); set exactly
   * when resolved_via is.
   */
  answeredBy?: string;
  /**
   * FOUND only: the homing node's RFC 9421 signature of its canonical JSON answer (GET
   * /api/handles/<handle>, no query; ADR 0011). Relayed unchanged by every node in between; an
   * asking node writes these fields instead of its own signature when it renders those same bytes
   * for that same request, so a reader verifies the answer with the homing node's key.
   */
  signedJson?: _idnode_v1_SignedAnswer | null;
}

export interface ResolveResponse__Output {
  /**
   * Echo of ResolveRequest.request_id.
   */
  requestId: string;
  status: _idnode_v1_ResolveStatus__Output;
  /**
   * For FOUND (PUBLIC values only: see ResolveRequest's retired fields) and GONE (the tombstone).
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
   * Cache hints in seconds, 0 = no hint. The asking node caches the answer no longer than this (its
   * own bounds still apply). ttl for FOUND: the least ttl of the record's values (of all its values,
   * not only the ones sent), and never more than the hint the answering node itself got upstream.
   */
  ttl: number;
  /**
   * For NOT_FOUND and GONE: how long the answering node lets a negative answer be believed (its own
   * negative-cache time), so a new registration shows up at every asking node that soon.
   */
  negativeTtl: number;
  /**
   * The node that produced the answer.
   */
  servedBy: string;
  /**
   * Only when ResolveRequest.trace was set: the steps this node took, in the order they started.
   */
  trace: _idnode_v1_TraceSpan__Output[];
  /**
   * FOUND only, set when no exact record answered: how the answer was derived, "template", "batch",
   * "model" or "enterprise" (the answering node's x-idnode-resolved-via header), so an asking node
   * tells its readers the same. Empty for the identifier's own record. A string, not an enum:
   * readers treat an unknown enum value as unspecified, which here would pass a derived answer off
   * as the identifier's own record; an unknown string is refused instead.
   */
  resolvedVia: string;
  /**
   * The handle of the record that answered a derived answer (x-idnode-resolved-from); set exactly
   * when resolved_via is.
   */
  answeredBy: string;
  /**
   * FOUND only: the homing node's RFC 9421 signature of its canonical JSON answer (GET
   * /api/handles/<handle>, no query; ADR 0011). Relayed unchanged by every node in between; an
   * asking node writes these fields instead of its own signature when it renders those same bytes
   * for that same request, so a reader verifies the answer with the homing node's key.
   */
  signedJson: _idnode_v1_SignedAnswer__Output | null;
}
