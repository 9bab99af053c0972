import { Agent, request, type IncomingMessage } from 'node:http';
import type { Measurement, NextRequest, RequestSpec } from './measurement.ts';
import { latencyHistogram, percentiles, round } from './stats.ts';

/**
 * Open-loop generator: request i is due at t0 + i / rate whatever happened to earlier requests,
 * and its latency counts from that due time, not from when it actually left. A stalled server
 * therefore shows up as latency (no coordinated omission), and arrivals are steady: autocannon's
 * overallRate hands out per-connection quotas that reset each second, so it sends in bursts.
 *
 * Timers fire with ~1 ms granularity: each tick sends every request already due, so over any
 * window of a few ms the rate is exact; the generator's own lateness is reported as send lag.
 */

export interface OpenLoopOptions {
  readonly url: string;
  readonly rps: number;
  readonly durationS: number;
  /** Sockets the keep-alive agent may open; requests beyond wait in its queue (and that wait counts). */
  readonly maxSockets: number;
  readonly next: NextRequest;
  readonly expectStatus: readonly number[];
  /** How long to wait for stragglers after the last send; those still out count as errors. */
  readonly drainMs?: number;
}

interface Tally {
  readonly latency: ReturnType<typeof latencyHistogram>;
  readonly lag: ReturnType<typeof latencyHistogram>;
  readonly statusCounts: Record<string, number>;
  completed: number;
  errors: number;
  inflight: number;
  done: boolean;
}

const micros = (ms: number): number => Math.max(1, Math.round(ms * 1000));

function send(agent: Agent, base: URL, spec: RequestSpec, dueAt: number, tally: Tally, expected: Set<number>): void {
  tally.lag.recordValue(micros(performance.now() - dueAt));
  tally.inflight++;
  const headers: Record<string, string | number> = { ...spec.headers };
  if (spec.body !== undefined) headers['content-length'] = Buffer.byteLength(spec.body);
  let settled = false;
  const finish = (status: number | undefined): void => {
    // 'error' can follow 'end' on a torn socket; and after the drain deadline nothing counts.
    if (settled || tally.done) return;
    settled = true;
    tally.inflight--;
    tally.latency.recordValue(micros(performance.now() - dueAt));
    if (status === undefined || !expected.has(status)) tally.errors++;
    if (status !== undefined) {
      tally.completed++;
      tally.statusCounts[status] = (tally.statusCounts[status] ?? 0) + 1;
    }
  };
  const req = request(
    { agent, host: base.hostname, port: base.port, method: spec.method, path: spec.path, headers },
    (res: IncomingMessage) => {
      res.on('end', () => finish(res.statusCode));
      res.on('error', () => finish(undefined));
      res.resume();
    },
  );
  req.on('error', () => finish(undefined));
  req.end(spec.body);
}

/** Sends on schedule until `total` requests are out; resolves when the last one is sent. */
function schedule(total: number, intervalMs: number, fire: (dueAt: number) => void): Promise<void> {
  const t0 = performance.now();
  let sent = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && t0 + sent * intervalMs <= now) fire(t0 + sent++ * intervalMs);
      if (sent >= total) return resolve();
      setTimeout(tick, Math.max(0, t0 + sent * intervalMs - performance.now()));
    };
    tick();
  });
}

async function drain(tally: Tally, drainMs: number): Promise<void> {
  const deadline = performance.now() + drainMs;
  while (tally.inflight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  // Stragglers: counted as errors; their latency is at least the drain wait, recorded as such.
  for (let i = 0; i < tally.inflight; i++) tally.latency.recordValue(micros(drainMs));
  tally.errors += tally.inflight;
  tally.done = true;
}

export async function runOpenLoop(opts: OpenLoopOptions): Promise<Measurement> {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: opts.maxSockets,
    maxFreeSockets: opts.maxSockets,
    scheduling: 'fifo',
  });
  const base = new URL(opts.url);
  const expected = new Set(opts.expectStatus);
  const tally: Tally = {
    latency: latencyHistogram(),
    lag: latencyHistogram(),
    statusCounts: {},
    completed: 0,
    errors: 0,
    inflight: 0,
    done: false,
  };
  const total = Math.max(1, Math.floor(opts.rps * opts.durationS));
  try {
    await schedule(total, 1000 / opts.rps, (dueAt) => send(agent, base, opts.next(), dueAt, tally, expected));
    await drain(tally, opts.drainMs ?? 2_000);
  } finally {
    agent.destroy();
  }
  return {
    rps: round(tally.completed / opts.durationS, 1),
    completed: tally.completed,
    errors: tally.errors,
    durationS: opts.durationS,
    statusCounts: tally.statusCounts,
    offeredRps: opts.rps,
    sendLagP99Ms: round(tally.lag.getValueAtPercentile(99) / 1000),
    ...percentiles(tally.latency),
  };
}
