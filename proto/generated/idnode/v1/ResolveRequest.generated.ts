// Original file: proto/idnode/v1/resolution.proto

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
   * Loop guard: incremented by each node that forwards the request; the server refuses
   * (IDN_ERR_LOOP_DETECTED) above its configured limit.
   */
  hopCount?: number;
  /**
   * Node ids that already forwarded this request; a node finding itself here refuses too.
   */
  viaNodes?: string[];
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
   * Loop guard: incremented by each node that forwards the request; the server refuses
   * (IDN_ERR_LOOP_DETECTED) above its configured limit.
   */
  hopCount: number;
  /**
   * Node ids that already forwarded this request; a node finding itself here refuses too.
   */
  viaNodes: string[];
  /**
   * Ask for a trace: the answering node returns its stages (and its own hops) in ResolveResponse.trace.
   */
  trace: boolean;
}
