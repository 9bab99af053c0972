import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { NodeMetrics } from '../observability/metrics.ts';
import { errorOf } from './errors.ts';

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

function logLine(request: FastifyRequest, reply: FastifyReply) {
  const err = errorOf(reply);
  return {
    method: request.method,
    route: request.routeOptions.url,
    prefix: prefixOf(request.routeOptions.url, request.url),
    status: reply.statusCode,
    rc: err?.spec.rc ?? (reply.statusCode < 400 ? 1 : undefined),
    code: err?.code,
    source: reply.getHeader('x-idnode-source'),
    ms: Math.round(reply.elapsedTime * 1000) / 1000,
  };
}

/** Per request: one counter increment, and a log line for every error and a sample of the rest. */
export function registerAccessLog(app: FastifyInstance, metrics: NodeMetrics, opts: AccessLogOptions): void {
  const counters = new Map<string, { inc(): void }>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const cls = STATUS_CLASS[Math.floor(reply.statusCode / 100) - 1] ?? 'other';
    const k = `${route}|${cls}`;
    let c = counters.get(k);
    if (c === undefined) {
      c = metrics.httpRequests.labels(route, cls);
      counters.set(k, c);
    }
    c.inc();
    const log = opts.logger;
    if (log !== undefined && (reply.statusCode >= 400 || Math.random() < opts.sampleRate)) {
      if (reply.statusCode >= 500) log.error(logLine(request, reply), 'request');
      else log.info(logLine(request, reply), 'request');
    }
    done();
  });
}
