import { performance } from 'node:perf_hooks';
import type { Outcome } from '../records/outcome.ts';

/**
 * Resolution tracing (`GET /api/handles/{id}?trace=true`, `idnode resolve --trace`): each stage
 * that ran, and each hop to another node with that node's own stages, in the order they started.
 * Only requests that ask carry a sink, so untraced resolution pays one `undefined` check per stage.
 */
export interface TraceSpan {
  /** The node that ran the step; absent for this node. */
  node?: string;
  /** A stage name (order.ts), or 'hop' for a call to another node. */
  stage: string;
  /** Nesting: a stage's inner stages (and a hop's remote stages) are one deeper. */
  depth: number;
  /** 'found:store', 'not-found:cache', 'referral', 'error:IDN_ERR_...'; 'pending' until it ends. */
  outcome: string;
  /** Inclusive duration: a stage's time includes the stages it passed the request to. */
  ms: number;
  /** A hop's target address, a referral's node. */
  detail?: string;
}

export class TraceSink {
  readonly spans: TraceSpan[] = [];
  depth = 0;
}

export function outcomeSummary(o: Outcome): string {
  switch (o.kind) {
    case 'found':
    case 'not-found':
      return `${o.kind}:${o.source}${o.authoritative === false ? ':not-authoritative' : ''}`;
    case 'referral':
      return 'referral';
    case 'error':
      return `error:${o.error.code}`;
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Runs one step under the sink: a span opened before (so inner spans follow it), closed with its outcome. */
export async function traceStep(sink: TraceSink, stage: string, run: () => Promise<Outcome>): Promise<Outcome> {
  const span: TraceSpan = { stage, depth: sink.depth, outcome: 'pending', ms: 0 };
  sink.spans.push(span);
  const start = performance.now();
  sink.depth++;
  try {
    const o = await run();
    span.outcome = outcomeSummary(o);
    if (o.kind === 'referral') span.detail = `${o.prefix} -> ${o.nodeId ?? '?'} at ${o.target}`;
    return o;
  } catch (e) {
    span.outcome = 'threw';
    throw e;
  } finally {
    sink.depth--;
    span.ms = round(performance.now() - start);
  }
}
