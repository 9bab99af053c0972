import type { ChangeFeed } from '../store/change-feed.ts';
import type { Exposition, NodeMetrics } from '../observability/metrics.ts';
import { AggregatorRegistry } from 'prom-client';
import { isClusterMessage, type ClusterMessage, type MetricsReply } from './messages.ts';

/** How long /metrics waits for the primary (which itself waits up to 5 s for each worker). */
const METRICS_TIMEOUT_MS = 7_000;

type Send = (m: ClusterMessage) => void;

/**
 * A worker's end of the cluster channel (IDNODE_WORKERS > 1, ADR 0009). Keys this worker commits
 * go to the primary, which relays them to every other worker; keys the others commit are announced
 * on this worker's change feed, so its cache and template index drop them within the IPC round
 * trip. /metrics asks the primary for every worker's registry, aggregated.
 */
export class WorkerLink {
  readonly slot: number;
  readonly #send: Send;
  readonly #metricsWaiting = new Map<number, (r: MetricsReply) => void>();
  #nextId = 1;

  constructor(slot: number, send: Send = (m) => process.send?.(m)) {
    this.slot = slot;
    this.#send = send;
  }

  /**
   * Relays local commits and announces remote ones. `beforeRemote` runs before a remote key is
   * announced (LMDB: a fresh read snapshot, so a read right after never sees the old record).
   * Keys committed in one event turn leave in one message.
   */
  bridge(changes: ChangeFeed, beforeRemote: () => void): void {
    let remote = false;
    let pending: string[] = [];
    const flush = (): void => {
      const keys = pending;
      pending = [];
      this.#send({ idnode: 'changed', keys });
    };
    changes.listen({
      changed: (key) => {
        if (remote) return;
        if (pending.length === 0) queueMicrotask(flush);
        pending.push(key);
      },
      gap: () => undefined,
    });
    this.#onMessage((m) => {
      if (m.idnode === 'gap') return changes.gap();
      if (m.idnode !== 'changed') return;
      remote = true;
      try {
        beforeRemote();
        for (const key of m.keys) changes.announce(key);
      } finally {
        remote = false;
      }
    });
  }

  /** /metrics of this worker answers for all of them; prom-client's own listener answers the primary. */
  serveMetrics(metrics: NodeMetrics): void {
    AggregatorRegistry.setRegistries([metrics.registry]);
    // Constructing one installs prom-client's worker-side listener (its cluster.js addListeners).
    void new AggregatorRegistry();
    this.#onMessage((m) => {
      if (m.idnode === 'metrics-res') this.#metricsWaiting.get(m.id)?.(m);
    });
    metrics.exposition = () => this.#aggregated();
  }

  #aggregated(): Promise<Exposition> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#metricsWaiting.delete(id);
        reject(new Error('the primary did not aggregate the metrics in time'));
      }, METRICS_TIMEOUT_MS);
      this.#metricsWaiting.set(id, (r) => {
        clearTimeout(timer);
        this.#metricsWaiting.delete(id);
        if (r.body === undefined) reject(new Error(r.error ?? 'metrics aggregation failed'));
        else resolve({ body: r.body, contentType: r.contentType ?? 'text/plain' });
      });
      this.#send({ idnode: 'metrics-req', id });
    });
  }

  #onMessage(handle: (m: ClusterMessage) => void): void {
    process.on('message', (m: unknown) => {
      if (isClusterMessage(m)) handle(m);
    });
  }
}
