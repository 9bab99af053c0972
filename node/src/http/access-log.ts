import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { NodeMetrics } from '../observability/metrics.ts';
import { errorOf } from './errors.ts';
import { TokenBucket } from './token-bucket.ts';

export interface AccessLogOptions {
  /** The access logger (asynchronous destination); undefined turns the log off. */
  readonly logger: Logger | undefined;
  /** Share of successful requests logged (0..1); every error is logged. */
  readonly sampleRate: number;
}

const STATUS_CLASS = ['1xx', '2xx', '3xx', '4xx', '5xx'];

/**
 * The prefix of the identifier in the path, never the suffix: the access log at info level must
 * not become a record of which serials were scanned.
 */
function prefixOf(route: string | undefined, url: string): string | undefined {
  if (route !== '/api/handles/*' && route !== '/*') return undefined;
  const start = url.startsWith('/api/handles/') ? 13 : 1;
  const slash = url.indexOf('/', start);
  const end = slash < 0 ? url.length : slash;
  const p = url.slice(start, end);
  return /^[A-Za-z0-9.]{1,64}$/.test(p) ? p : undefined;
}

function logLine(request: FastifyRequest, reply: FastifyReply, route: string) {
  const err = errorOf(reply);
  return {
    method: request.method,
    route,
    prefix: prefixOf(route, request.url),
    status: reply.statusCode,
    rc: err?.spec.rc ?? (reply.statusCode < 400 ? 1 : undefined),
    code: err?.code,
    source: reply.getHeader('x-idnode-source'),
    ms: Math.round(reply.elapsedTime * 1000) / 1000,
  };
}

type ResponseHook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;

/**
 * Lines per second the routine answers (successes and "not found") may write, burst the same: a
 * flood of scans of unknown identifiers must cost a counter increment, not a log write, per
 * request. Other errors (bad input, 5xx) are rare and each one is logged.
 */
const ROUTINE_LINES_PER_S = 100;

/** One budget per process: the log's disk and pipe are shared by every route. */
let routineLines: TokenBucket | undefined;

/**
 * A routine answer: a success, or a "not found" (a cached one is a lookup, like a hit). Its line is
 * sampled (a cached not-found, like a success) and rate-limited; lines over the budget are counted.
 */
function sampled(status: number, source: unknown, sampleRate: number): boolean {
  if (status < 400) return Math.random() < sampleRate;
  return source === 'cache' ? Math.random() < sampleRate : true;
}

/**
 * Per request: one counter increment, and a log line for every error and a sample of the rest.
 * The hook is attached per route (onRoute) so it knows its route label without touching
 * `request.routeOptions`, a getter that builds an object on every access.
 */
export function registerAccessLog(app: FastifyInstance, metrics: NodeMetrics, opts: AccessLogOptions): void {
  app.addHook('onRoute', (route) => {
    const hook = responseHook(route.url, metrics, opts);
    const existing = route.onResponse;
    route.onResponse = existing === undefined ? [hook] : [...(Array.isArray(existing) ? existing : [existing]), hook];
  });
}

/** For answers outside any route (the not-found handler). */
export function countUnrouted(metrics: NodeMetrics, opts: AccessLogOptions): ResponseHook {
  return responseHook('unmatched', metrics, opts);
}

function responseHook(route: string, metrics: NodeMetrics, opts: AccessLogOptions): ResponseHook {
  const byClass = STATUS_CLASS.map((cls) => metrics.httpRequests.labels(route, cls));
  // prom-client hashes the labels on every labels(): one child per code, looked up once.
  const byCode = new Map<string, { inc(): void }>();
  const errorsOf = (code: string): { inc(): void } => {
    let c = byCode.get(code);
    if (c === undefined) byCode.set(code, (c = metrics.httpErrors.labels(code)));
    return c;
  };
  const log = opts.logger;
  const logs = log !== undefined && log.isLevelEnabled('info');
  return (request, reply, done) => {
    const status = reply.statusCode;
    byClass[Math.floor(status / 100) - 1]?.inc();
    // Only error answers pay for the label lookup; the success path stays one increment.
    const err = status >= 400 ? errorOf(reply) : undefined;
    if (status >= 400) errorsOf(err?.code ?? 'uncoded').inc();
    if (!logs || log === undefined) return done();
    const notFound = err?.code === 'IDN_ERR_NOT_FOUND' || err?.code === 'IDN_ERR_GONE';
    if (status < 400 || notFound) {
      if (!sampled(status, reply.getHeader('x-idnode-source'), opts.sampleRate)) return done();
      routineLines ??= new TokenBucket(ROUTINE_LINES_PER_S, ROUTINE_LINES_PER_S);
      if (!routineLines.take()) {
        metrics.accessLogSuppressed.inc();
        return done();
      }
    }
    const line = logLine(request, reply, route);
    if (status >= 500) log.error(line, 'request');
    else log.info(line, 'request');
    done();
  };
}
