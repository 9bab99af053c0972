// Original file: proto/idnode/v1/resolution.proto

/**
 * One step of a traced resolution: a stage of a node, or a hop to another node.
 */
export interface TraceSpan {
  /**
   * The node that ran the step.
   */
  node?: string;
  /**
   * A stage name (cache, follow, delegation, upstream, authority, walk-up, template, store) or "hop".
   */
  stage?: string;
  /**
   * "found:store", "not-found:cache", "referral", "error:IDN_ERR_...".
   */
  outcome?: string;
  /**
   * Inclusive: a stage's time includes the stages it passed the request to.
   */
  durationMs?: number | string;
  /**
   * Nesting depth within the answering node's trace.
   */
  depth?: number;
  /**
   * A hop's target, a referral's node.
   */
  detail?: string;
}

/**
 * One step of a traced resolution: a stage of a node, or a hop to another node.
 */
export interface TraceSpan__Output {
  /**
   * The node that ran the step.
   */
  node: string;
  /**
   * A stage name (cache, follow, delegation, upstream, authority, walk-up, template, store) or "hop".
   */
  stage: string;
  /**
   * "found:store", "not-found:cache", "referral", "error:IDN_ERR_...".
   */
  outcome: string;
  /**
   * Inclusive: a stage's time includes the stages it passed the request to.
   */
  durationMs: number;
  /**
   * Nesting depth within the answering node's trace.
   */
  depth: number;
  /**
   * A hop's target, a referral's node.
   */
  detail: string;
}
