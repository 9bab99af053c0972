import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { restartDelayMs } from './backoff.ts';
import { isClusterMessage, SLOT_VAR, type ClusterMessage, type MetricsRequest } from './messages.ts';

export interface PrimaryOptions {
  readonly workers: number;
  readonly logger: Logger;
  /** How long a worker may take to drain after SIGTERM before it is killed (its own drain delay plus grace). */
  readonly stopTimeoutMs: number;
}

interface Slot {
  worker: Worker | undefined;
  startedAt: number;
  crashes: number;
}

/**
 * The primary of IDNODE_WORKERS > 1 (ADR 0009): it opens no store and serves nothing itself. It
 * forks the workers (slot 0 first, so the data directory, the token key and the bootstrap records
 * are created once), relays each worker's committed keys to the others, answers /metrics with
 * every worker's registry aggregated, restarts a worker that dies (with backoff), and on SIGTERM
 * or SIGINT drains every worker before it exits.
 */
export async function runPrimary(o: PrimaryOptions): Promise<void> {
  const slots: Slot[] = Array.from({ length: o.workers }, () => ({ worker: undefined, startedAt: 0, crashes: 0 }));
  const aggregator = new AggregatorRegistry();
  let stopping = false;

  const broadcast = (m: ClusterMessage, except?: Worker): void => {
    for (const s of slots) if (s.worker && s.worker !== except && s.worker.isConnected()) s.worker.send(m);
  };

  const answerMetrics = (w: Worker, m: MetricsRequest): void => {
    aggregator.clusterMetrics().then(
      (body) =>
        w.isConnected() && w.send({ idnode: 'metrics-res', id: m.id, body, contentType: aggregator.contentType }),
      (e: unknown) => w.isConnected() && w.send({ idnode: 'metrics-res', id: m.id, error: String(e) }),
    );
  };

  const fork = (slot: number): Worker => {
    const w = cluster.fork({ [SLOT_VAR]: String(slot) });
    const s = slots[slot]!;
    s.worker = w;
    s.startedAt = Date.now();
    w.on('message', (m: unknown) => {
      if (!isClusterMessage(m)) return;
      if (m.idnode === 'changed') broadcast(m, w);
      else if (m.idnode === 'metrics-req') answerMetrics(w, m);
    });
    w.on('exit', (code, signal) => {
      if (s.worker === w) s.worker = undefined;
      if (stopping) return;
      // Its last commits may not have been relayed: every other cache forgets what it cannot prove fresh.
      broadcast({ idnode: 'gap' });
      s.crashes = Date.now() - s.startedAt > 30_000 ? 1 : s.crashes + 1;
      const delay = restartDelayMs(s.crashes);
      o.logger.error({ slot, pid: w.process.pid, code, signal, restartInMs: delay }, 'worker exited; restarting it');
      setTimeout(() => stopping || fork(slot), delay).unref();
    });
    return w;
  };

  // Slot 0 alone first: it creates what the others then only open. A startup failure there ends the node.
  const first = fork(0);
  const code = await new Promise<number | undefined>((resolve) => {
    first.once('listening', () => resolve(undefined));
    first.once('exit', (c) => resolve(c ?? 1));
  });
  if (code !== undefined) {
    stopping = true;
    process.exit(code);
  }
  for (let i = 1; i < o.workers; i++) fork(i);
  o.logger.info({ workers: o.workers, pid: process.pid }, 'idnode primary: workers started');

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    o.logger.info({ signal }, 'idnode primary: draining every worker');
    const alive = slots.flatMap((s) => (s.worker ? [s.worker] : []));
    const exits = alive.map((w) => new Promise<void>((r) => (w.isDead() ? r() : w.once('exit', () => r()))));
    for (const w of alive) w.process.kill('SIGTERM');
    const killer = setTimeout(() => alive.forEach((w) => w.isDead() || w.process.kill('SIGKILL')), o.stopTimeoutMs);
    void Promise.all(exits).then(() => {
      clearTimeout(killer);
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
