import { performance } from 'node:perf_hooks';
import { outcomeLabel, type NodeMetrics } from '../observability/metrics.ts';
import type { PrefixLabeler } from '../observability/prefix-label.ts';
import type { Next, Outcome } from './outcome.ts';

const sourceOf = (o: Outcome): string => (o.kind === 'found' || o.kind === 'not-found' ? o.source : 'none');

/** Times every resolution and records it by source, outcome and (bounded) prefix. */
export function instrumentResolver(next: Next, metrics: NodeMetrics, prefixes: PrefixLabeler): Next {
  return async (req) => {
    const start = performance.now();
    const outcome = await next(req);
    const seconds = (performance.now() - start) / 1000;
    metrics.observeResolve(sourceOf(outcome), outcomeLabel(outcome), prefixes.label(req.id.prefixKey), seconds);
    return outcome;
  };
}
