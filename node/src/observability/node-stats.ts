import type { MetricSnapshot } from './metric-snapshot.ts';
import { counterIncrease, gaugeValues, histogramIncrease, quantile, type HistogramDelta } from './metric-window.ts';
import type { StatsWindow } from './stats-sampler.ts';

/**
 * The stats document (GET /api/stats) from two readings of the registry: what a console shows
 * and a script can poll, with the same names and bounded labels as /metrics.
 */

const RESOLVE = 'idnode_resolve_duration_seconds';

export interface Latency {
  readonly perSecond: number;
  readonly count: number;
  /** Milliseconds; null when nothing was resolved in the window. */
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

const ms = (s: number | undefined): number | null => (s === undefined ? null : Math.round(s * 1e6) / 1e3);
const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

function latency(h: HistogramDelta | undefined, seconds: number): Latency {
  if (h === undefined) return { perSecond: 0, count: 0, p50: null, p90: null, p99: null };
  return {
    perSecond: round(h.count / seconds),
    count: h.count,
    p50: ms(quantile(0.5, h)),
    p90: ms(quantile(0.9, h)),
    p99: ms(quantile(0.99, h)),
  };
}

function latencyBy(w: StatsWindow, label: string): Record<string, Latency> {
  const out: Record<string, Latency> = {};
  const groups = [...histogramIncrease(w.now, w.before, RESOLVE, label)].sort(([a], [b]) => (a < b ? -1 : 1));
  // Only what was resolved in the window: a prefix seen once an hour ago is no row of a live view.
  for (const [g, h] of groups) if (h.count > 0) out[g] = latency(h, w.seconds);
  return out;
}

const record = (m: Map<string, number>): Record<string, number> => Object.fromEntries(m);

function rates(m: Map<string, number>, seconds: number): Record<string, number> {
  return Object.fromEntries([...m].map(([k, v]) => [k, round(v / seconds)]));
}

function cache(w: StatsWindow) {
  const lookups = counterIncrease(w.now, w.before, 'idnode_cache_lookups_total', 'result');
  const hits = lookups.get('hit') ?? 0;
  const total = hits + (lookups.get('miss') ?? 0) + (lookups.get('stale') ?? 0);
  const size = (name: string): number | null => gaugeValues(w.now, name).get('') ?? null;
  return {
    enabled: w.now.values.has('idnode_cache_lookups_total'),
    hitRate: total === 0 ? null : round(hits / total, 4),
    lookups: record(lookups),
    entries: size('idnode_cache_entries'),
    bytes: size('idnode_cache_size_bytes'),
  };
}

function errors(w: StatsWindow) {
  const byCode = [...counterIncrease(w.now, w.before, 'idnode_http_errors_total', 'code')]
    .filter(([, n]) => n > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([code, count]) => ({ code, count, perSecond: round(count / w.seconds) }));
  const total = byCode.reduce((n, e) => n + e.count, 0);
  return { perSecond: round(total / w.seconds), count: total, byCode };
}

/** Gauges the federation and sync code registers (absent on roles that have none). */
function sync(now: MetricSnapshot) {
  const one = (name: string): number | null => gaugeValues(now, name).get('') ?? null;
  const byNode = (name: string) => record(gaugeValues(now, name, 'node'));
  const lag = byNode('idnode_federation_node_sync_lag_entries');
  const takeover = byNode('idnode_federation_node_takeover_active');
  return {
    lagEntries: one('idnode_sync_lag_entries'),
    lagSeconds: one('idnode_sync_lag_seconds'),
    upstreamAppliedSeq: one('idnode_federation_upstream_applied_seq'),
    takeoverActive: one('idnode_federation_takeover_active'),
    nodes: Object.keys(lag).map((node) => ({
      node,
      lagEntries: lag[node] ?? 0,
      takeoverActive: (takeover[node] ?? 0) === 1,
    })),
  };
}

function health(w: StatsWindow) {
  const checks = [...gaugeValues(w.now, 'idnode_health_ready', 'check')].map(([check, v]) => ({ check, ok: v === 1 }));
  const peers = counterIncrease(w.now, w.before, 'idnode_peer_requests_total', 'kind');
  const sent = (peers.get('stream') ?? 0) + (peers.get('unary') ?? 0);
  return {
    ready: checks.every((c) => c.ok),
    checks,
    upstream: w.now.values.has('idnode_peer_requests_total')
      ? { requestsPerSecond: round(sent / w.seconds), failuresPerSecond: round((peers.get('failed') ?? 0) / w.seconds) }
      : null,
  };
}

export interface StatsInfo {
  readonly node: Readonly<Record<string, unknown>>;
  readonly links: Readonly<Record<string, string | null>>;
}

export function nodeStats(w: StatsWindow, info: StatsInfo) {
  const total = histogramIncrease(w.now, w.before, RESOLVE).get('');
  const outcomes = histogramIncrease(w.now, w.before, RESOLVE, 'outcome');
  const http = counterIncrease(w.now, w.before, 'idnode_http_requests_total', 'status_class');
  return {
    at: new Date(w.now.at).toISOString(),
    windowSeconds: round(w.seconds),
    since: w.before === undefined ? 'start' : 'window',
    node: info.node,
    resolution: {
      ...latency(total, w.seconds),
      byOutcome: rates(new Map([...outcomes].map(([k, h]) => [k, h.count])), w.seconds),
      byPrefix: latencyBy(w, 'prefix'),
      bySource: latencyBy(w, 'source'),
    },
    cache: cache(w),
    errors: errors(w),
    http: { perSecondByStatusClass: rates(http, w.seconds) },
    health: health(w),
    sync: sync(w.now),
    links: info.links,
  };
}
