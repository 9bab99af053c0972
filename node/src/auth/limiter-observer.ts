import type { AuditLog } from '../audit/audit-log.ts';
import type { NodeMetrics } from '../observability/metrics.ts';
import type { LimiterObserver } from './failure-limiter.ts';

/** The wrong-secret backoff's counters and audit lines (docs/metrics.md, `<dataDir>/audit/auth.log`). */
export function limiterObserver(metrics: NodeMetrics, audit: AuditLog): LimiterObserver {
  return {
    failure: (path) => metrics.authFailures.labels(path).inc(),
    refused: (path, rule) => metrics.authBackoff.labels(path, rule, 'refused').inc(),
    slowed: (path) => metrics.authBackoff.labels(path, 'admin', 'queued').inc(),
    audit: (event) => audit.auth(event),
  };
}
