import { join, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parsePrefix } from '../identifier/index.ts';
import { NA_PREFIX_KEY } from '../authority/homed-prefixes.ts';
import { DEFAULT_CACHE_POLICY, type CachePolicy } from '../cache/cache-policy.ts';
import { readPassportSettings, type PassportSettings } from '../passport/settings.ts';

/**
 * Configuration goes raw (environment, with flags mirroring it) -> validated (schema) ->
 * normalised (typed, absolute, parsed). Any problem is fatal at startup, with every problem listed.
 */

export const DEMO_PREFIX = '88.100.5';

export const ROLES = ['standalone', 'top-level', 'secondary', 'caching'] as const;
export type NodeRole = (typeof ROLES)[number];
const HOST_PORT = '^[A-Za-z0-9.:\\[\\]-]{1,255}:[0-9]{1,5}$';
export const DEFAULT_GRPC_PORT = 50051;

const RawConfig = Type.Object({
  IDNODE_HTTP_PORT: Type.String({ pattern: '^[0-9]{1,5}$' }),
  IDNODE_HOST: Type.String({ minLength: 1, maxLength: 255 }),
  IDNODE_DATA_DIR: Type.String({ minLength: 1 }),
  IDNODE_PREFIXES: Type.Optional(Type.String({ minLength: 1 })),
  IDNODE_ADMIN_SECRET: Type.Optional(Type.String({ minLength: 12, maxLength: 256 })),
  IDNODE_TOKEN_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/_-]{43,}={0,2}$' })),
  IDNODE_DRAIN_DELAY_MS: Type.String({ pattern: '^[0-9]{1,6}$' }),
  IDNODE_AUTH_RATE_PER_S: Type.String({ pattern: '^[1-9][0-9]{0,5}$' }),
  IDNODE_ACCESS_LOG_SAMPLE: Type.String({ pattern: '^(0(\\.[0-9]{1,6})?|1(\\.0+)?)$' }),
  IDNODE_CACHE: Type.Union([Type.Literal('on'), Type.Literal('off')]),
  IDNODE_CACHE_POLICY: Type.Union([Type.Literal('tinylfu'), Type.Literal('lru')]),
  IDNODE_CACHE_MAX_ENTRIES: Type.String({ pattern: '^[1-9][0-9]{0,8}$' }),
  IDNODE_CACHE_MAX_MB: Type.String({ pattern: '^[1-9][0-9]{0,5}$' }),
  IDNODE_CACHE_MAX_TTL_S: Type.String({ pattern: '^[0-9]{1,7}$' }),
  IDNODE_CACHE_NEGATIVE_TTL_S: Type.String({ pattern: '^[0-9]{1,4}$' }),
  IDNODE_CACHE_STALE_WINDOW_S: Type.String({ pattern: '^[0-9]{1,7}$' }),
  IDNODE_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
  ),
  // --- federation (roles and peering) ---
  IDNODE_ROLE: Type.Union([
    Type.Literal('standalone'),
    Type.Literal('top-level'),
    Type.Literal('secondary'),
    Type.Literal('caching'),
  ]),
  IDNODE_GRPC_PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
  IDNODE_UPSTREAM: Type.Optional(Type.String({ pattern: HOST_PORT })),
  IDNODE_TLS_DIR: Type.Optional(Type.String({ minLength: 1 })),
  IDNODE_INSECURE_GRPC: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1')])),
  IDNODE_NODE_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' })),
  IDNODE_GRPC_ADVERTISE: Type.Optional(Type.String({ pattern: HOST_PORT })),
  IDNODE_DELEGATIONS: Type.Optional(Type.String({ minLength: 1 })),
  IDNODE_HEARTBEAT_S: Type.String({ pattern: '^[1-9][0-9]{0,3}$' }),
  IDNODE_UPSTREAM_TIMEOUT_MS: Type.String({ pattern: '^[1-9][0-9]{0,5}$' }),
  // --- passports (node/src/passport/settings.ts checks them further) ---
  IDNODE_PUBLIC_URL: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  IDNODE_GS1_PREFIX: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  // Path of the JSON file of trusted passport-credential issuers (node/src/access/trusted-issuers.ts).
  IDNODE_TRUSTED_ISSUERS: Type.Optional(Type.String({ minLength: 1 })),
});
type RawConfig = Static<typeof RawConfig>;

export interface NodeConfig {
  readonly httpPort: number;
  readonly host: string;
  readonly dataDir: string;
  readonly prefixes: readonly string[];
  readonly adminSecret: string | undefined;
  readonly tokenKey: Buffer | undefined;
  readonly logLevel: RawConfig['IDNODE_LOG_LEVEL'];
  readonly cache: CachePolicy;
  /** How long the node reports not-ready before it stops taking requests on shutdown. */
  readonly drainDelayMs: number;
  /** Share of successful requests written to the access log; errors are always written. */
  readonly accessLogSample: number;
  /** auth=true (cache-bypassing) reads allowed per second; twice that as a burst. */
  readonly authRatePerSecond: number;
  readonly federation: FederationConfig;
  /** Base URL in QR codes and linkset anchors; the prefix GS1 Digital Link paths map under. */
  readonly passport: PassportSettings;
  /** Absolute path of the trusted-issuers file; main.ts loads and checks it. */
  readonly trustedIssuersFile: string | undefined;
}

/** TLS material of a node: its certificate, key and the federation CA (PEM files in IDNODE_TLS_DIR). */
export interface TlsFiles {
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** Roles and peering; `grpc` is undefined when this node runs no gRPC server (a plain standalone node). */
export interface FederationConfig {
  readonly role: NodeRole;
  readonly grpc: { readonly port: number; readonly advertise: string } | undefined;
  /** host:port of the node asked for prefixes not homed here (secondary, caching). */
  readonly upstream: string | undefined;
  /** undefined = insecure gRPC (only with IDNODE_INSECURE_GRPC=1). */
  readonly tls: TlsFiles | undefined;
  /** Explicit IDNODE_NODE_ID; otherwise main.ts derives it from the certificate CN, else the hostname. */
  readonly nodeId: string | undefined;
  /** Top-level: the operator's delegation plan, prefix -> node id, granted when that node registers. */
  readonly delegations: ReadonlyMap<string, string>;
  readonly heartbeatSeconds: number;
  /** Deadline of every outgoing resolution call. */
  readonly upstreamTimeoutMs: number;
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`configuration error:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

const DEFAULTS = {
  IDNODE_HTTP_PORT: '8080',
  IDNODE_HOST: '127.0.0.1',
  IDNODE_DATA_DIR: './data',
  IDNODE_LOG_LEVEL: 'info',
  IDNODE_ROLE: 'standalone',
  IDNODE_HEARTBEAT_S: '5',
  IDNODE_UPSTREAM_TIMEOUT_MS: '2000',
  IDNODE_DRAIN_DELAY_MS: '1000',
  IDNODE_ACCESS_LOG_SAMPLE: '0.01',
  IDNODE_AUTH_RATE_PER_S: '50',
  IDNODE_CACHE: 'on',
  IDNODE_CACHE_POLICY: DEFAULT_CACHE_POLICY.admission,
  IDNODE_CACHE_MAX_ENTRIES: String(DEFAULT_CACHE_POLICY.maxEntries),
  IDNODE_CACHE_MAX_MB: String(DEFAULT_CACHE_POLICY.maxBytes / 1024 / 1024),
  IDNODE_CACHE_MAX_TTL_S: String(DEFAULT_CACHE_POLICY.maxTtlMs / 1000),
  IDNODE_CACHE_NEGATIVE_TTL_S: String(DEFAULT_CACHE_POLICY.negativeTtlMs / 1000),
  IDNODE_CACHE_STALE_WINDOW_S: String(DEFAULT_CACHE_POLICY.staleWindowMs / 1000),
} as const;

const FLAGS = {
  port: 'IDNODE_HTTP_PORT',
  host: 'IDNODE_HOST',
  'data-dir': 'IDNODE_DATA_DIR',
  prefixes: 'IDNODE_PREFIXES',
  'log-level': 'IDNODE_LOG_LEVEL',
  role: 'IDNODE_ROLE',
  'grpc-port': 'IDNODE_GRPC_PORT',
  upstream: 'IDNODE_UPSTREAM',
  'tls-dir': 'IDNODE_TLS_DIR',
  'insecure-grpc': 'IDNODE_INSECURE_GRPC',
  'node-id': 'IDNODE_NODE_ID',
  'grpc-advertise': 'IDNODE_GRPC_ADVERTISE',
  delegations: 'IDNODE_DELEGATIONS',
  'trusted-issuers': 'IDNODE_TRUSTED_ISSUERS',
} as const;

/** Flags win over the environment, which wins over defaults. */
export function rawConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): Record<string, string | undefined> {
  const options = Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new ConfigError([(e as Error).message]);
  }
  const raw: Record<string, string | undefined> = { ...DEFAULTS };
  for (const k of Object.keys(RawConfig.properties)) if (env[k] !== undefined && env[k] !== '') raw[k] = env[k];
  for (const [flag, key] of Object.entries(FLAGS)) if (typeof values[flag] === 'string') raw[key] = values[flag];
  return raw;
}

function validate(raw: Record<string, string | undefined>): RawConfig {
  const clean = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  if (Value.Check(RawConfig, clean)) return clean;
  const problems = [...Value.Errors(RawConfig, clean)].map((e) => {
    const key = e.instancePath.replace(/^\//, '') || 'config';
    const shown = key === 'IDNODE_ADMIN_SECRET' || key === 'IDNODE_TOKEN_KEY' ? '(hidden)' : JSON.stringify(clean[key]);
    return `${key}=${shown}: ${e.message}`;
  });
  throw new ConfigError(problems);
}

function normalisePrefixes(list: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of list.split(',').map((s) => s.trim())) {
    try {
      const p = parsePrefix(item, 'text');
      if (p.prefixKey === NA_PREFIX_KEY) throw new Error('0.NA is reserved for prefix records');
      if (!seen.has(p.prefixKey)) out.push(p.prefix);
      seen.add(p.prefixKey);
    } catch (e) {
      problems.push(`IDNODE_PREFIXES: "${item}": ${(e as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

function cachePolicy(v: RawConfig): CachePolicy {
  const maxTtlMs = Number(v.IDNODE_CACHE_MAX_TTL_S) * 1000;
  return {
    ...DEFAULT_CACHE_POLICY,
    enabled: v.IDNODE_CACHE === 'on',
    admission: v.IDNODE_CACHE_POLICY,
    maxEntries: Number(v.IDNODE_CACHE_MAX_ENTRIES),
    maxBytes: Number(v.IDNODE_CACHE_MAX_MB) * 1024 * 1024,
    maxTtlMs,
    minTtlMs: Math.min(DEFAULT_CACHE_POLICY.minTtlMs, maxTtlMs),
    // Negative answers never outlive positive ones (RFC 2308: cap the negative TTL).
    negativeTtlMs: Math.min(Number(v.IDNODE_CACHE_NEGATIVE_TTL_S) * 1000, maxTtlMs),
    staleWindowMs: Number(v.IDNODE_CACHE_STALE_WINDOW_S) * 1000,
  };
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv.slice(2),
): NodeConfig {
  const v = validate(rawConfig(env, argv));
  const port = Number(v.IDNODE_HTTP_PORT);
  if (port > 65535) throw new ConfigError([`IDNODE_HTTP_PORT=${port}: must be 0-65535`]);
  const prefixes = rolePrefixes(v);
  return {
    httpPort: port,
    host: v.IDNODE_HOST,
    dataDir: resolvePath(v.IDNODE_DATA_DIR),
    prefixes,
    federation: federationConfig(v, prefixes),
    adminSecret: v.IDNODE_ADMIN_SECRET,
    tokenKey: v.IDNODE_TOKEN_KEY === undefined ? undefined : Buffer.from(v.IDNODE_TOKEN_KEY, 'base64'),
    logLevel: v.IDNODE_LOG_LEVEL,
    cache: cachePolicy(v),
    drainDelayMs: Number(v.IDNODE_DRAIN_DELAY_MS),
    accessLogSample: Number(v.IDNODE_ACCESS_LOG_SAMPLE),
    authRatePerSecond: Number(v.IDNODE_AUTH_RATE_PER_S),
    passport: passportSettings(v),
    trustedIssuersFile: v.IDNODE_TRUSTED_ISSUERS === undefined ? undefined : resolvePath(v.IDNODE_TRUSTED_ISSUERS),
  };
}

function passportSettings(v: RawConfig): PassportSettings {
  try {
    return readPassportSettings(v);
  } catch (e) {
    throw new ConfigError([(e as Error).message]);
  }
}

/** Standalone nodes keep the demo prefix by default; federated roles must say what they home; caching homes nothing. */
function rolePrefixes(v: RawConfig): string[] {
  if (v.IDNODE_ROLE === 'caching') {
    if (v.IDNODE_PREFIXES !== undefined) {
      throw new ConfigError([
        'IDNODE_PREFIXES: a caching node homes no prefixes and takes no writes; unset it or choose another role',
      ]);
    }
    return [];
  }
  if (v.IDNODE_PREFIXES === undefined && v.IDNODE_ROLE !== 'standalone') {
    throw new ConfigError([
      `IDNODE_PREFIXES: required for role ${v.IDNODE_ROLE} (e.g. 88 for top-level, 88.100 for secondary)`,
    ]);
  }
  return normalisePrefixes(v.IDNODE_PREFIXES ?? DEMO_PREFIX);
}

function tlsFiles(v: RawConfig, federated: boolean): TlsFiles | undefined {
  if (v.IDNODE_TLS_DIR !== undefined) {
    const dir = resolvePath(v.IDNODE_TLS_DIR);
    return { dir, cert: join(dir, 'node.crt'), key: join(dir, 'node.key'), ca: join(dir, 'ca.crt') };
  }
  if (federated && v.IDNODE_INSECURE_GRPC !== '1') {
    throw new ConfigError([
      `IDNODE_TLS_DIR: role ${v.IDNODE_ROLE} talks to other nodes and needs mTLS (node.crt, node.key, ca.crt; ` +
        '`npm run certs -- --out <dir> --nodes <ids>` makes dev ones). Set IDNODE_INSECURE_GRPC=1 to run without TLS on a trusted network.',
    ]);
  }
  return undefined;
}

function grpcPort(v: RawConfig): number | undefined {
  // A plain standalone node runs gRPC only when asked to, so several can share a host without port clashes.
  if (v.IDNODE_GRPC_PORT === undefined) return v.IDNODE_ROLE === 'standalone' ? undefined : DEFAULT_GRPC_PORT;
  const port = Number(v.IDNODE_GRPC_PORT);
  if (port > 65535) throw new ConfigError([`IDNODE_GRPC_PORT=${port}: must be 0-65535`]);
  return port;
}

function federationConfig(v: RawConfig, prefixes: readonly string[]): FederationConfig {
  const federated = v.IDNODE_ROLE !== 'standalone';
  const problems: string[] = [];
  const needsUpstream = v.IDNODE_ROLE === 'secondary' || v.IDNODE_ROLE === 'caching';
  if (needsUpstream && v.IDNODE_UPSTREAM === undefined) {
    problems.push(
      `IDNODE_UPSTREAM: required for role ${v.IDNODE_ROLE} (host:port of the ${v.IDNODE_ROLE === 'secondary' ? 'top-level' : 'upstream'} node's gRPC)`,
    );
  }
  if (!needsUpstream && v.IDNODE_UPSTREAM !== undefined) {
    problems.push(`IDNODE_UPSTREAM: role ${v.IDNODE_ROLE} asks no upstream node; unset it`);
  }
  if (v.IDNODE_DELEGATIONS !== undefined && v.IDNODE_ROLE !== 'top-level') {
    problems.push('IDNODE_DELEGATIONS: only the top-level node delegates prefixes');
  }
  if (v.IDNODE_ROLE === 'top-level' && prefixes.length !== 1) {
    problems.push('IDNODE_PREFIXES: a top-level node homes exactly one root prefix (e.g. 88)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const port = grpcPort(v);
  return {
    role: v.IDNODE_ROLE,
    grpc: port === undefined ? undefined : { port, advertise: v.IDNODE_GRPC_ADVERTISE ?? `127.0.0.1:${port}` },
    upstream: v.IDNODE_UPSTREAM,
    tls: tlsFiles(v, federated),
    nodeId: v.IDNODE_NODE_ID,
    delegations: delegationPlan(v.IDNODE_DELEGATIONS),
    heartbeatSeconds: Number(v.IDNODE_HEARTBEAT_S),
    upstreamTimeoutMs: Number(v.IDNODE_UPSTREAM_TIMEOUT_MS),
  };
}

/** "88.100=secA,88.200=secB" -> prefix -> node id. */
function delegationPlan(text: string | undefined): Map<string, string> {
  const plan = new Map<string, string>();
  if (text === undefined) return plan;
  const problems: string[] = [];
  for (const item of text.split(',').map((s) => s.trim())) {
    const [prefix, nodeId, extra] = item.split('=');
    try {
      if (prefix === undefined || nodeId === undefined || extra !== undefined || nodeId === '')
        throw new Error('expected prefix=nodeId');
      plan.set(parsePrefix(prefix, 'text').prefix, nodeId);
    } catch (e) {
      problems.push(`IDNODE_DELEGATIONS: "${item}": ${(e as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return plan;
}
