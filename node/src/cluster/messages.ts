/**
 * What the primary and its workers say to each other over the cluster IPC channel (JSON).
 * prom-client's own aggregation messages share the channel; ours carry `idnode`.
 */

/** A worker committed these keys (worker -> primary), or another worker did (primary -> workers). */
export interface ChangedMessage {
  readonly idnode: 'changed';
  readonly keys: readonly string[];
}

/** News may have been lost (a worker died between a commit and its relay): drop what is not provably fresh. */
export interface GapMessage {
  readonly idnode: 'gap';
}

/** A worker serving /metrics asks the primary for every worker's metrics, aggregated. */
export interface MetricsRequest {
  readonly idnode: 'metrics-req';
  readonly id: number;
}

export interface MetricsReply {
  readonly idnode: 'metrics-res';
  readonly id: number;
  readonly body?: string;
  readonly contentType?: string;
  readonly error?: string;
}

export type ClusterMessage = ChangedMessage | GapMessage | MetricsRequest | MetricsReply;

const KINDS = new Set(['changed', 'gap', 'metrics-req', 'metrics-res']);

export function isClusterMessage(m: unknown): m is ClusterMessage {
  return typeof m === 'object' && m !== null && KINDS.has((m as { idnode?: unknown }).idnode as string);
}

/** The environment variable the primary gives each worker its slot in (0 .. N-1); not an IDNODE_ setting. */
export const SLOT_VAR = 'IDN_WORKER_SLOT';
