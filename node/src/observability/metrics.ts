import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Outcome } from '../records/outcome.ts';
import { LocalCounter, LocalHistogram } from './local-series.ts';
import { logWriteTally, type LogName } from './log-write-guard.ts';

/**
 * The node's metrics (docs/metrics.md). Hot-path metrics use pre-resolved label children;
 * cache figures are read from the cache's own counters at scrape time, costing nothing per hit.
 */

// From 50 µs (a cache hit) to 2.5 s (an upstream timeout).
const LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

export type OutcomeLabel = 'found' | 'not-found' | 'error';
type HistogramChild = ReturnType<LocalHistogram['labels']>;
type ByOutcome = Map<OutcomeLabel, HistogramChild>;
type ChildTree = Map<string, Map<string, ByOutcome>>;

export function outcomeLabel(o: Outcome): OutcomeLabel {
  switch (o.kind) {
    case 'found':
      return 'found';
    case 'not-found':
      return 'not-found';
    case 'referral':
    case 'error':
      return 'error';
  }
}

/**
 * What the cache metrics read, at scrape time (the resolution cache has it): declared here, so the
 * metrics need nothing above the core and the wiring hands the cache in.
 */
export interface CacheFigures {
  readonly stats: Readonly<{
    hits: number;
    misses: number;
    stale: number;
    fetches: number;
    evictions: number;
    dependencyOverflows: number;
    gaps: number;
  }>;
  readonly size: number;
  readonly bytes: number;
}

/** The /metrics body and its content type. */
export interface Exposition {
  readonly body: string;
  readonly contentType: string;
}

export class NodeMetrics {
  readonly registry = new Registry();
  /**
   * What /metrics serves: this registry, or (IDNODE_WORKERS above 1) every worker's registry
   * aggregated by the primary process (cluster/worker-link.ts replaces it).
   */
  exposition: () => Promise<Exposition> = async () => ({
    body: await this.registry.metrics(),
    contentType: this.registry.contentType,
  });
  /** Observed on every answer: a local series (local-series.ts), read by prom-client at scrape time. */
  readonly resolveDuration = new LocalHistogram({
    name: 'idnode_resolve_duration_seconds',
    help: 'Time from a parsed request to its resolution outcome.',
    labelNames: ['source', 'outcome', 'prefix'],
    buckets: LATENCY_BUCKETS,
    registry: this.registry,
  });
  /** Redis: the store connection went away or came back (LMDB never reports either). */
  readonly storeConnectionEvents = new Counter({
    name: 'idnode_store_connection_events_total',
    help: 'Store connection lost and restored events (Redis).',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });
  /** Which store this node serves (one series, value 1): what an operator checks first. */
  readonly storeInfo = new Gauge({
    name: 'idnode_store_info',
    help: 'The store backend this node serves from (value 1).',
    labelNames: ['backend'] as const,
    registers: [this.registry],
  });
  readonly storeConnected = new Gauge({
    name: 'idnode_store_connected',
    help: '1 while the store connection is up, 0 after it was lost until it is restored.',
    registers: [this.registry],
  });
  readonly registrations = new Counter({
    name: 'idnode_registrations_total',
    help: 'Writes to identifiers by operation and result.',
    labelNames: ['op', 'result'] as const,
    registers: [this.registry],
  });
  readonly httpRequests = new LocalCounter({
    name: 'idnode_http_requests_total',
    help: 'HTTP requests by route and status class.',
    labelNames: ['route', 'status_class'],
    registry: this.registry,
  });
  /** Error answers by code: the codes are the error table's, so the label set is bounded. */
  readonly httpErrors = new LocalCounter({
    name: 'idnode_http_errors_total',
    help: 'HTTP answers with status 400 or above, by IDN_ERR code ("uncoded" for answers outside the error table).',
    labelNames: ['code'],
    registry: this.registry,
  });
  /** Access-log lines of routine answers (successes, not-found) left unwritten by the line budget. */
  /** Wrong secrets and invalid tokens, by path (auth/failure-limiter.ts). */
  readonly authFailures = new Counter({
    name: 'idnode_auth_failures_total',
    help: 'Failed authentications: wrong secret or challenge answer (basic, session, native), invalid token (bearer).',
    labelNames: ['path'] as const,
    registers: [this.registry],
  });
  readonly authBackoff = new Counter({
    name: 'idnode_auth_backoff_total',
    help: 'Attempts held back by the wrong-secret backoff: refused (429) or queued, by the rule that applied.',
    labelNames: ['path', 'rule', 'action'] as const,
    registers: [this.registry],
  });
  readonly accessLogSuppressed = new Counter({
    name: 'idnode_http_access_log_suppressed_total',
    help: 'Access-log lines of routine answers (successes, not found) not written because of the line budget (100 per second).',
    registers: [this.registry],
  });
  /** Failed log writes (a full disk) and lines dropped beyond the buffer, read from the guard at scrape time. */
  readonly logWriteFailures = tallyCounter(
    this.registry,
    'idnode_log_write_failures_total',
    'Failed writes of a log destination (audit-reads, audit-changes, audit-auth, stdout), e.g. a full disk; resolution goes on.',
    logWriteTally.failures,
  );
  readonly logLinesDropped = tallyCounter(
    this.registry,
    'idnode_log_lines_dropped_total',
    'Log lines dropped because their destination kept failing and the in-memory buffer (16 MiB) was full.',
    logWriteTally.dropped,
  );
  /** Runs the readiness checks at scrape time, so the gauge is current even where nobody probes /readyz. */
  readinessProbe: (() => Promise<unknown>) | undefined;
  readonly ready: Gauge<'check'> = new Gauge({
    name: 'idnode_health_ready',
    help: '1 when the readiness check passes.',
    labelNames: ['check'] as const,
    registers: [this.registry],
    collect: async () => {
      await this.readinessProbe?.();
    },
  });
  /** prefix -> source -> outcome -> histogram child: no key string is built per resolution. */
  private readonly children: ChildTree = new Map();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'idnode_' });
  }

  observeResolve(source: string, outcome: OutcomeLabel, prefix: string, seconds: number): void {
    let bySource = this.children.get(prefix);
    if (bySource === undefined) this.children.set(prefix, (bySource = new Map<string, ByOutcome>()));
    let byOutcome = bySource.get(source);
    if (byOutcome === undefined) bySource.set(source, (byOutcome = new Map<OutcomeLabel, HistogramChild>()));
    let child = byOutcome.get(outcome);
    if (child === undefined) byOutcome.set(outcome, (child = this.resolveDuration.labels(source, outcome, prefix)));
    child.observe(seconds);
  }

  /** Load shedding (http/shedding.ts), read at scrape time: nothing is counted on the shed path itself. */
  watchPressure(read: () => { shed: number; overloaded: boolean; eventLoopDelayMs: number }): void {
    const registers = [this.registry];
    new Counter({
      name: 'idnode_http_shed_total',
      help: 'Requests answered 503 IDN_ERR_OVERLOADED because the node was overloaded.',
      registers,
      collect() {
        this.reset();
        this.inc(read().shed);
      },
    });
    new Gauge({
      name: 'idnode_http_overloaded',
      help: '1 while the node sheds load (event-loop delay or heap above its limit).',
      registers,
      collect() {
        this.set(read().overloaded ? 1 : 0);
      },
    });
    new Gauge({
      name: 'idnode_event_loop_delay_seconds',
      help: 'p99 event-loop delay of the last shedding sample window.',
      registers,
      collect() {
        this.set(read().eventLoopDelayMs / 1000);
      },
    });
  }

  /** The store's in-memory tail of the change log (store/recent-log.ts), read at scrape time: a bound an operator can see hold. */
  watchRecentLog(read: () => number): void {
    new Gauge({
      name: 'idnode_store_recent_log_entries',
      help: 'Change-log entries the store keeps in memory for the readers right behind its commits (bounded).',
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** Cache figures, read at scrape time from the cache's counters. */
  watchCache(cache: CacheFigures): void {
    const registers = [this.registry];
    const total = (name: string, help: string, read: () => number): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    };
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    };
    new Counter({
      name: 'idnode_cache_lookups_total',
      help: 'Resolution cache lookups by result.',
      labelNames: ['result'] as const,
      registers,
      collect() {
        this.reset();
        this.labels('hit').inc(cache.stats.hits);
        this.labels('miss').inc(cache.stats.misses);
        this.labels('stale').inc(cache.stats.stale);
      },
    });
    total(
      'idnode_cache_backend_fetches_total',
      'Backend calls made by the cache (one per key however many requests miss at once).',
      () => cache.stats.fetches,
    );
    total('idnode_cache_evictions_total', 'Entries evicted to respect the cache bounds.', () => cache.stats.evictions);
    total(
      'idnode_cache_dependency_overflows_total',
      'Derived answers left uncached because the dependency index was full.',
      () => cache.stats.dependencyOverflows,
    );
    total(
      'idnode_cache_feed_gaps_total',
      'Times the cache was dropped whole because changes may have been missed (lost subscription, reconnect).',
      () => cache.stats.gaps,
    );
    gauge('idnode_cache_entries', 'Entries in the resolution cache.', () => cache.size);
    gauge('idnode_cache_size_bytes', 'Bytes held by the resolution cache.', () => cache.bytes);
  }
}

/** A counter whose values live in a tally kept elsewhere (a module with no registry at hand). */
function tallyCounter(registry: Registry, name: string, help: string, tally: ReadonlyMap<LogName, number>) {
  const seen = new Map<LogName, number>();
  return new Counter({
    name,
    help,
    labelNames: ['log'] as const,
    registers: [registry],
    collect() {
      for (const [log, n] of tally) {
        const before = seen.get(log) ?? 0;
        if (n > before) this.labels(log).inc(n - before);
        seen.set(log, n);
      }
    },
  });
}
