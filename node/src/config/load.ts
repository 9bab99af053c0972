import { resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parsePrefix } from '../identifier/index.ts';
import { NA_PREFIX_KEY } from '../authority/homed-prefixes.ts';
import { DEFAULT_CACHE_POLICY, type CachePolicy } from '../cache/cache-policy.ts';

/**
 * Configuration goes raw (environment, with flags mirroring it) -> validated (schema) ->
 * normalised (typed, absolute, parsed). Any problem is fatal at startup, with every problem listed.
 */

export const DEMO_PREFIX = '88.100.5';

const RawConfig = Type.Object({
  IDNODE_HTTP_PORT: Type.String({ pattern: '^[0-9]{1,5}$' }),
  IDNODE_HOST: Type.String({ minLength: 1, maxLength: 255 }),
  IDNODE_DATA_DIR: Type.String({ minLength: 1 }),
  IDNODE_PREFIXES: Type.String({ minLength: 1 }),
  IDNODE_ADMIN_SECRET: Type.Optional(Type.String({ minLength: 12, maxLength: 256 })),
  IDNODE_TOKEN_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/_-]{43,}={0,2}$' })),
  IDNODE_DRAIN_DELAY_MS: Type.String({ pattern: '^[0-9]{1,6}$' }),
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
  IDNODE_PREFIXES: DEMO_PREFIX,
  IDNODE_LOG_LEVEL: 'info',
  IDNODE_DRAIN_DELAY_MS: '1000',
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
  return {
    httpPort: port,
    host: v.IDNODE_HOST,
    dataDir: resolvePath(v.IDNODE_DATA_DIR),
    prefixes: normalisePrefixes(v.IDNODE_PREFIXES),
    adminSecret: v.IDNODE_ADMIN_SECRET,
    tokenKey: v.IDNODE_TOKEN_KEY === undefined ? undefined : Buffer.from(v.IDNODE_TOKEN_KEY, 'base64'),
    logLevel: v.IDNODE_LOG_LEVEL,
    cache: cachePolicy(v),
    drainDelayMs: Number(v.IDNODE_DRAIN_DELAY_MS),
  };
}
