import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { ERRORS } from '../errors/codes.ts';

/**
 * Load shedding (ADR 0010, issue 13 item 4): a timer samples the event-loop delay and the heap;
 * while either is above its limit, requests are answered 503 IDN_ERR_OVERLOADED + Retry-After
 * before fastify routes or parses them. Per request this costs one boolean test: the measuring
 * is on the timer, never on the request path.
 */

export interface ShedSettings {
  /** p99 event-loop delay over one sample window above this: overloaded. 0: never shed. */
  readonly maxEventLoopDelayMs: number;
  /** Heap used / heap limit above this: overloaded. */
  readonly maxHeapRatio: number;
  readonly sampleMs: number;
  readonly retryAfterSeconds: number;
}

export const DEFAULT_SHED: ShedSettings = {
  maxEventLoopDelayMs: 200,
  maxHeapRatio: 0.9,
  sampleMs: 250,
  retryAfterSeconds: 1,
};

export interface PressureSample {
  readonly eventLoopDelayMs: number;
  readonly heapRatio: number;
}

export type PressureReason = 'event-loop-delay' | 'heap';

/**
 * Event-loop delay must be over its limit in this many consecutive samples before requests are
 * shed: one stall (a major GC, a long synchronous step, the process not scheduled on a busy
 * machine) is not overload, and shedding on it refused the first writes of a node starting on a
 * loaded machine. Heap pressure sheds at once: it does not come and go within a sample.
 */
const SUSTAINED_DELAY_SAMPLES = 2;

/** Samples on a timer; `overloaded` is what the request path reads. */
export class PressureGauge {
  overloaded = false;
  reason: PressureReason | undefined;
  last: PressureSample = { eventLoopDelayMs: 0, heapRatio: 0 };
  /** Requests answered 503 since start (read by the metric at scrape time). */
  shed = 0;
  private readonly settings: ShedSettings;
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | undefined;
  private delayedSamples = 0;

  constructor(settings: ShedSettings) {
    this.settings = settings;
  }

  start(): void {
    if (this.settings.maxEventLoopDelayMs === 0 || this.timer !== undefined) return;
    this.histogram.enable();
    this.timer = setInterval(() => this.judge(this.measure()), this.settings.sampleMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.histogram.disable();
  }

  /** Decides from one sample (tests feed samples; the timer feeds measurements). */
  judge(s: PressureSample): void {
    this.last = s;
    this.delayedSamples = s.eventLoopDelayMs > this.settings.maxEventLoopDelayMs ? this.delayedSamples + 1 : 0;
    this.reason =
      this.delayedSamples >= SUSTAINED_DELAY_SAMPLES
        ? 'event-loop-delay'
        : s.heapRatio > this.settings.maxHeapRatio
          ? 'heap'
          : undefined;
    this.overloaded = this.reason !== undefined;
  }

  private measure(): PressureSample {
    const delay = this.histogram.percentile(99) / 1e6;
    this.histogram.reset();
    const heap = getHeapStatistics();
    return {
      eventLoopDelayMs: Number.isFinite(delay) ? delay : 0,
      heapRatio: heap.used_heap_size / heap.heap_size_limit,
    };
  }
}

/** Probes and scrapes pass: liveness must stay green, readiness and metrics must report the pressure. */
const EXEMPT = new Set(['/livez', '/readyz', '/metrics']);

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts the gauge in front of the server's request handler (fastify's), so a shed request costs
 * no routing, no hooks, no logging: the same precomputed 503 body each time.
 */
export function shedInFront(server: EventEmitter, gauge: PressureGauge, settings: ShedSettings): void {
  const spec = ERRORS.IDN_ERR_OVERLOADED;
  const body = JSON.stringify({ responseCode: spec.rc, code: 'IDN_ERR_OVERLOADED', message: spec.message });
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'retry-after': String(settings.retryAfterSeconds),
  };
  const handlers = server.listeners('request') as unknown as Handler[];
  server.removeAllListeners('request');
  // fastify registers exactly one handler: call it directly, no loop on the hot path.
  const [only] = handlers;
  const forward: Handler =
    handlers.length === 1 && only !== undefined ? only : (req, res) => handlers.forEach((h) => h(req, res));
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (gauge.overloaded && !EXEMPT.has(req.url ?? '')) {
      gauge.shed++;
      res.writeHead(spec.http, headers).end(body);
      return;
    }
    forward(req, res);
  });
}
