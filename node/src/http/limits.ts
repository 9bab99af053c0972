import type { FastifyServerOptions } from 'fastify';

/**
 * What one client may hold of the node (ADR 0010, issue 13 item 3), from IDNODE_HTTP_* (config.ts):
 * a slow client cannot keep a socket past a deadline, a large request is refused before it is read.
 */
export interface HttpLimits {
  /** Whole request line + headers must arrive within this (slowloris). */
  readonly headersTimeoutMs: number;
  /** Whole request, body included, must arrive within this (slow body). */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive socket is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Any socket with no traffic at all for this long is closed. */
  readonly idleTimeoutMs: number;
  /** How often Node checks the two deadlines above (they are enforced at this granularity). */
  readonly checkIntervalMs: number;
  /** Request line + headers above this: 431, connection closed. */
  readonly maxHeaderBytes: number;
  /** Request bodies above this: 413 (from Content-Length, before reading; chunked: cut at the limit). */
  readonly bodyLimitBytes: number;
  /** Open sockets beyond this are closed on accept (the kernel backlog holds the rest). */
  readonly maxConnections: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  checkIntervalMs: 1_000,
  maxHeaderBytes: 16 * 1024,
  bodyLimitBytes: 256 * 1024,
  maxConnections: 20_000,
};

/** The fastify options the limits set (plain HTTP/1.1; under TLS, HTTP/2 has its own session timeout). */
export function limitOptions(l: HttpLimits): Partial<FastifyServerOptions> {
  return {
    bodyLimit: l.bodyLimitBytes,
    requestTimeout: l.requestTimeoutMs,
    connectionTimeout: l.idleTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    http: {
      maxHeaderSize: l.maxHeaderBytes,
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      connectionsCheckingInterval: l.checkIntervalMs,
    },
  } as Partial<FastifyServerOptions>;
}

/** After creation: what only the server object takes. */
export function applyServerLimits(server: { headersTimeout: number; maxConnections: number }, l: HttpLimits): void {
  server.headersTimeout = l.headersTimeoutMs;
  server.maxConnections = l.maxConnections;
}
