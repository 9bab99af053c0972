// Original file: proto/idnode/v1/resolution.proto

import type {
  AccessTier as _idnode_v1_AccessTier,
  AccessTier__Output as _idnode_v1_AccessTier__Output,
} from '../../idnode/v1/AccessTier.generated.ts';

export interface ResolveRequest {
  /**
   * Chosen by the caller, unique among its in-flight requests on one stream; echoed back.
   */
  requestId?: string;
  /**
   * "prefix/suffix" as already-decoded text (never percent-decoded again by the server).
   */
  identifier?: string;
  /**
   * Ask for an answer from the node that homes the prefix, not from a cache or synced copy.
   */
  authoritative?: boolean;
  /**
   * Return only ACCESS_TIER_PUBLIC values, whatever the caller's tier.
   */
  publicOnly?: boolean;
  /**
   * Loop guard: incremented by each node that forwards the request; the server refuses
   * (IDN_ERR_LOOP_DETECTED) above its configured limit.
   */
  hopCount?: number;
  /**
   * Node ids that already forwarded this request; a node finding itself here refuses too.
   */
  viaNodes?: string[];
  /**
   * The tier of the original reader, as authenticated by the first node; the receiving node
   * trusts it only from peers whose certificate identity it has registered.
   */
  callerTier?: _idnode_v1_AccessTier;
  /**
   * Optional filters, as Handle's ?index= and ?type=; empty means all values.
   */
  indexes?: number[];
  types?: string[];
  /**
   * Ask for a trace: the answering node returns its stages (and its own hops) in ResolveResponse.trace.
   */
  trace?: boolean;
}

export interface ResolveRequest__Output {
  /**
   * Chosen by the caller, unique among its in-flight requests on one stream; echoed back.
   */
  requestId: string;
  /**
   * "prefix/suffix" as already-decoded text (never percent-decoded again by the server).
   */
  identifier: string;
  /**
   * Ask for an answer from the node that homes the prefix, not from a cache or synced copy.
   */
  authoritative: boolean;
  /**
   * Return only ACCESS_TIER_PUBLIC values, whatever the caller's tier.
   */
  publicOnly: boolean;
  /**
   * Loop guard: incremented by each node that forwards the request; the server refuses
   * (IDN_ERR_LOOP_DETECTED) above its configured limit.
   */
  hopCount: number;
  /**
   * Node ids that already forwarded this request; a node finding itself here refuses too.
   */
  viaNodes: string[];
  /**
   * The tier of the original reader, as authenticated by the first node; the receiving node
   * trusts it only from peers whose certificate identity it has registered.
   */
  callerTier: _idnode_v1_AccessTier__Output;
  /**
   * Optional filters, as Handle's ?index= and ?type=; empty means all values.
   */
  indexes: number[];
  types: string[];
  /**
   * Ask for a trace: the answering node returns its stages (and its own hops) in ResolveResponse.trace.
   */
  trace: boolean;
}
