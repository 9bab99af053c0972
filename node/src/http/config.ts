import { createPrivateKey, X509Certificate } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { Type } from 'typebox';
import type { Problems } from '../config-kit/problems.ts';
import type { ConfigSection } from '../config-kit/section.ts';
import { intVar, textVar } from '../config-kit/vars.ts';
import { DEFAULT_LIMITS, type HttpLimits } from './limits.ts';
import { DEFAULT_SHED, type ShedSettings } from './shedding.ts';

/** The HTTP side of a node: where it listens, how it drains, what it logs, what it rations. */
export interface HttpConfig {
  readonly port: number;
  readonly host: string;
  /** How long the node reports not-ready before it stops taking requests on shutdown. */
  readonly drainDelayMs: number;
  /** Share of successful requests written to the access log; errors are always written. */
  readonly accessLogSample: number;
  /** auth=true (cache-bypassing) reads allowed per second; twice that as a burst. */
  readonly authRatePerSecond: number;
  /** HTTPS (and HTTP/2) served by the node itself: the PEM files, when both are given. */
  readonly tls: HttpsFiles | undefined;
  /** Connection limits and timeouts (ADR 0010). */
  readonly limits: HttpLimits;
  /** Load shedding thresholds (ADR 0010). */
  readonly shed: ShedSettings;
}

/** The certificate (chain) and key the node serves HTTPS with (IDNODE_TLS_CERT, IDNODE_TLS_KEY). */
export interface HttpsFiles {
  readonly cert: string;
  readonly key: string;
}

/** The files read and checked at startup. */
export interface HttpsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
}

const raw = Type.Object({
  IDNODE_HTTP_PORT: intVar(1, 65535, { description: 'HTTP port', default: '8080' }),
  IDNODE_HOST: textVar(
    'a host name or IP address, e.g. 127.0.0.1, 0.0.0.0, ::',
    { description: 'listen address (0.0.0.0 in containers)', default: '127.0.0.1' },
    { pattern: '^[A-Za-z0-9._:%-]{1,255}$' },
  ),
  IDNODE_DRAIN_DELAY_MS: intVar(0, 999_999, {
    description: 'on SIGTERM: how long /readyz fails before the node stops taking requests',
    default: '1000',
  }),
  IDNODE_ACCESS_LOG_SAMPLE: textVar(
    'a number 0-1 with at most 6 decimals, e.g. 0.01',
    { description: 'share of successful requests in the access log (every error is logged)', default: '0.01' },
    { pattern: '^(0(\\.[0-9]{1,6})?|1(\\.0{1,6})?)$' },
  ),
  IDNODE_AUTH_RATE_PER_S: intVar(1, 999_999, {
    description: 'auth=true reads (they bypass the cache) allowed per second, burst twice that; beyond: 429',
    default: '50',
  }),
  IDNODE_HTTP_HEADERS_TIMEOUT_MS: intVar(100, 600_000, {
    description: 'request line and headers must arrive within this (slowloris); then 408 and the socket closes',
    default: String(DEFAULT_LIMITS.headersTimeoutMs),
  }),
  IDNODE_HTTP_REQUEST_TIMEOUT_MS: intVar(100, 3_600_000, {
    description: 'the whole request, body included, must arrive within this (slow bodies); then 408',
    default: String(DEFAULT_LIMITS.requestTimeoutMs),
  }),
  IDNODE_HTTP_KEEPALIVE_TIMEOUT_MS: intVar(100, 600_000, {
    description: 'an idle keep-alive connection is closed after this',
    default: String(DEFAULT_LIMITS.keepAliveTimeoutMs),
  }),
  IDNODE_HTTP_IDLE_TIMEOUT_MS: intVar(100, 3_600_000, {
    description: 'a socket with no traffic at all for this long is closed (fastify connectionTimeout)',
    default: String(DEFAULT_LIMITS.idleTimeoutMs),
  }),
  IDNODE_HTTP_CHECK_INTERVAL_MS: intVar(10, 60_000, {
    description: 'how often the headers and request deadlines are checked (connectionsCheckingInterval)',
    default: String(DEFAULT_LIMITS.checkIntervalMs),
  }),
  IDNODE_HTTP_MAX_HEADER_BYTES: intVar(1024, 1_048_576, {
    description: 'request line plus headers above this answer 431 IDN_ERR_HEADERS_TOO_LARGE',
    default: String(DEFAULT_LIMITS.maxHeaderBytes),
  }),
  IDNODE_HTTP_BODY_LIMIT_BYTES: intVar(1024, 1_073_741_824, {
    description: 'request bodies above this answer 413 IDN_ERR_BODY_TOO_LARGE (Content-Length checked before reading)',
    default: String(DEFAULT_LIMITS.bodyLimitBytes),
  }),
  IDNODE_HTTP_MAX_CONNECTIONS: intVar(1, 1_000_000, {
    description: 'open HTTP connections beyond this are closed on accept (keep it below the file descriptor limit)',
    default: String(DEFAULT_LIMITS.maxConnections),
  }),
  IDNODE_SHED_EVENT_LOOP_DELAY_MS: intVar(0, 60_000, {
    description:
      'p99 event-loop delay above this: requests answer 503 IDN_ERR_OVERLOADED + Retry-After (0: never shed)',
    default: String(DEFAULT_SHED.maxEventLoopDelayMs),
  }),
  IDNODE_SHED_HEAP_RATIO: textVar(
    'a number 0-1 with at most 3 decimals, e.g. 0.9',
    {
      description: 'heap used above this share of the heap limit: shed as for the event-loop delay',
      default: String(DEFAULT_SHED.maxHeapRatio),
    },
    { pattern: '^(0(\\.[0-9]{1,3})?|1(\\.0{1,3})?)$' },
  ),
  IDNODE_SHED_SAMPLE_MS: intVar(10, 60_000, {
    description: 'how often the event-loop delay and heap are sampled for shedding',
    default: String(DEFAULT_SHED.sampleMs),
  }),
  IDNODE_TLS_CERT: Type.Optional(
    textVar('a path to a PEM certificate (chain), e.g. /etc/idnode/tls/fullchain.pem', {
      description: 'with IDNODE_TLS_KEY: the node serves HTTPS (HTTP/2 and HTTP/1.1) itself on IDNODE_HTTP_PORT',
      defaultText: 'unset: plain HTTP (TLS ends at a proxy in front)',
    }),
  ),
  IDNODE_TLS_KEY: Type.Optional(
    textVar('a path to the PEM private key of IDNODE_TLS_CERT', {
      description: "the private key of IDNODE_TLS_CERT's certificate",
      defaultText: 'unset: plain HTTP',
    }),
  ),
});

function tlsOf(cert: string | undefined, key: string | undefined, problems: Problems): HttpsFiles | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    const [missing, given] =
      cert === undefined ? ['IDNODE_TLS_CERT', 'IDNODE_TLS_KEY'] : ['IDNODE_TLS_KEY', 'IDNODE_TLS_CERT'];
    problems.add(missing, `is required when ${given} is set: HTTPS needs the certificate and its key`, [given]);
    return undefined;
  }
  return { cert: resolvePath(cert), key: resolvePath(key) };
}

export const httpSection: ConfigSection<typeof raw.properties, HttpConfig> = {
  name: 'http',
  raw,
  normalise: (v, problems) => ({
    port: Number(v.IDNODE_HTTP_PORT),
    host: v.IDNODE_HOST,
    drainDelayMs: Number(v.IDNODE_DRAIN_DELAY_MS),
    accessLogSample: Number(v.IDNODE_ACCESS_LOG_SAMPLE),
    authRatePerSecond: Number(v.IDNODE_AUTH_RATE_PER_S),
    tls: tlsOf(v.IDNODE_TLS_CERT, v.IDNODE_TLS_KEY, problems),
    limits: {
      headersTimeoutMs: Number(v.IDNODE_HTTP_HEADERS_TIMEOUT_MS),
      requestTimeoutMs: Number(v.IDNODE_HTTP_REQUEST_TIMEOUT_MS),
      keepAliveTimeoutMs: Number(v.IDNODE_HTTP_KEEPALIVE_TIMEOUT_MS),
      idleTimeoutMs: Number(v.IDNODE_HTTP_IDLE_TIMEOUT_MS),
      checkIntervalMs: Number(v.IDNODE_HTTP_CHECK_INTERVAL_MS),
      maxHeaderBytes: Number(v.IDNODE_HTTP_MAX_HEADER_BYTES),
      bodyLimitBytes: Number(v.IDNODE_HTTP_BODY_LIMIT_BYTES),
      maxConnections: Number(v.IDNODE_HTTP_MAX_CONNECTIONS),
    },
    shed: {
      maxEventLoopDelayMs: Number(v.IDNODE_SHED_EVENT_LOOP_DELAY_MS),
      maxHeapRatio: Number(v.IDNODE_SHED_HEAP_RATIO),
      sampleMs: Number(v.IDNODE_SHED_SAMPLE_MS),
      retryAfterSeconds: DEFAULT_SHED.retryAfterSeconds,
    },
  }),
};

const CODES: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' };
const why = (e: unknown): string => CODES[(e as NodeJS.ErrnoException).code ?? ''] ?? (e as Error).message;

/**
 * Reads the certificate and key and checks what would otherwise fail only in a client's
 * handshake: PEM that parses, a key that belongs to the certificate, a certificate within its
 * validity. Every problem is reported at startup, before anything listens.
 */
export async function readHttpsMaterial(files: HttpsFiles, problems: Problems): Promise<HttpsMaterial | undefined> {
  const read = async (variable: string, path: string) =>
    readFile(path).catch((e: unknown) => void problems.add(variable, `must name a readable file (${path}: ${why(e)})`));
  const [cert, key] = await Promise.all([read('IDNODE_TLS_CERT', files.cert), read('IDNODE_TLS_KEY', files.key)]);
  if (cert === undefined || key === undefined) return undefined;
  let leaf: X509Certificate;
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    leaf = new X509Certificate(cert);
  } catch (e) {
    return void problems.add('IDNODE_TLS_CERT', `must hold a PEM certificate (${files.cert}: ${(e as Error).message})`);
  }
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    return void problems.add('IDNODE_TLS_KEY', `must hold a PEM private key (${files.key}: ${(e as Error).message})`);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    problems.add(
      'IDNODE_TLS_KEY',
      `must be the key of the certificate in IDNODE_TLS_CERT (${files.key} is another key)`,
    );
  }
  const now = Date.now();
  if (Date.parse(leaf.validTo) < now)
    problems.add('IDNODE_TLS_CERT', `has a certificate that expired on ${leaf.validTo}`);
  if (Date.parse(leaf.validFrom) > now) {
    problems.add('IDNODE_TLS_CERT', `has a certificate not valid before ${leaf.validFrom}`);
  }
  return { cert, key };
}

/** A host name that does not resolve fails here, before anything is opened, rather than at listen. */
export async function checkListenHost(host: string, problems: Problems): Promise<void> {
  if (isIP(host) !== 0) return;
  try {
    await lookup(host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'lookup failed';
    problems.add(
      'IDNODE_HOST',
      `must be an IP address or a host name that resolves (got ${JSON.stringify(host)}: ${code})`,
    );
  }
}
