import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { Type, type Static } from 'typebox';
import type { Problems } from '../config-kit/problems.ts';
import type { ConfigSection } from '../config-kit/section.ts';
import { intVar, textVar } from '../config-kit/vars.ts';
import type { StoreConfig } from './store-config.ts';

/**
 * Where a node keeps its data: the data directory (LMDB, admin credentials, token key, audit
 * trail) and the store backend, the embedded LMDB store or Redis (one server or a Cluster).
 */
export interface StoreSettings {
  /** Absolute. */
  readonly dataDir: string;
  readonly backend: StoreConfig;
}

const HOST_PORT_LIST = '^[A-Za-z0-9.-]+:[0-9]{1,5}(,[A-Za-z0-9.-]+:[0-9]{1,5})*$';

const raw = Type.Object({
  IDNODE_DATA_DIR: textVar('a directory path', {
    description: 'LMDB store, admin credentials, token key, audit trail',
    default: './data',
  }),
  IDNODE_REDIS_URL: Type.Optional(
    textVar(
      'a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
      { description: 'use a shared Redis instead of LMDB (several instances, one truth)' },
      { pattern: '^rediss?://[^\\s]+$' },
    ),
  ),
  IDNODE_REDIS_CLUSTER: Type.Optional(
    textVar(
      'host:port pairs separated by commas, e.g. 10.0.0.1:7000,10.0.0.2:7000',
      { description: 'a Redis Cluster instead of LMDB (its seed nodes)' },
      { pattern: HOST_PORT_LIST },
    ),
  ),
  IDNODE_REDIS_NAMESPACE: textVar(
    "1-64 letters, digits, '.', '_' or '-'",
    { description: 'prefix of every Redis key (several nodes can share one Redis)', default: 'idn' },
    { pattern: '^[A-Za-z0-9._-]{1,64}$' },
  ),
  IDNODE_REDIS_WAIT_REPLICAS: intVar(0, 9, {
    description: 'acknowledge a write only after this many replicas have it (WAIT)',
    default: '0',
  }),
  IDNODE_REDIS_TIMEOUT_MS: intVar(10, 999_999, { description: 'deadline of every Redis command', default: '1000' }),
});

function backendOf(v: Static<typeof raw>, problems: Problems): StoreConfig {
  if (v.IDNODE_REDIS_URL !== undefined && v.IDNODE_REDIS_CLUSTER !== undefined) {
    problems.add('IDNODE_REDIS_URL', 'and IDNODE_REDIS_CLUSTER are both set: set one, not both');
  }
  if (v.IDNODE_REDIS_URL === undefined && v.IDNODE_REDIS_CLUSTER === undefined) return { kind: 'lmdb' };
  const common = {
    kind: 'redis' as const,
    namespace: v.IDNODE_REDIS_NAMESPACE,
    waitReplicas: Number(v.IDNODE_REDIS_WAIT_REPLICAS),
    commandTimeoutMs: Number(v.IDNODE_REDIS_TIMEOUT_MS),
  };
  if (v.IDNODE_REDIS_URL !== undefined) return { ...common, url: v.IDNODE_REDIS_URL };
  const nodes = (v.IDNODE_REDIS_CLUSTER ?? '').split(',').map((hp) => {
    const i = hp.lastIndexOf(':');
    return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
  });
  for (const n of nodes) {
    if (n.port < 1 || n.port > 65535) problems.add('IDNODE_REDIS_CLUSTER', `has a port out of 1-65535 (got ${n.port})`);
  }
  return { ...common, nodes };
}

export const storeSection: ConfigSection<typeof raw.properties, StoreSettings> = {
  name: 'store',
  raw,
  normalise: (v, problems) => ({ dataDir: resolvePath(v.IDNODE_DATA_DIR), backend: backendOf(v, problems) }),
};

/**
 * The data directory must be a writable directory, or creatable: checked before anything is
 * created, so that "it is a file" is reported with every other problem instead of as an EEXIST.
 */
export async function checkDataDir(dir: string, problems: Problems): Promise<void> {
  const fail = (why: string) =>
    problems.add(
      'IDNODE_DATA_DIR',
      `must be a writable directory or one that can be created (got ${JSON.stringify(dir)}: ${why})`,
    );
  let path = dir;
  for (;;) {
    const s = await stat(path).catch((e: NodeJS.ErrnoException) => e);
    if (s instanceof Error) {
      if ((s.code === 'ENOENT' || s.code === 'ENOTDIR') && dirname(path) !== path) {
        path = dirname(path);
        continue;
      }
      return fail(`${path}: ${s.code ?? s.message}`);
    }
    if (!s.isDirectory()) return fail(path === dir ? 'a file, not a directory' : `${path} is a file`);
    try {
      await access(path, constants.W_OK | constants.X_OK);
    } catch {
      fail(path === dir ? 'not writable by this user' : `${path} is not writable by this user`);
    }
    return;
  }
}

/** What a failure to open the store names: where it is, and which variables to check. */
export function describeStore(s: StoreSettings): { readonly where: string; readonly hint: string } {
  const b = s.backend;
  if (b.kind === 'lmdb')
    return { where: `the LMDB store in ${join(s.dataDir, 'lmdb')}`, hint: 'check IDNODE_DATA_DIR' };
  const hint = 'check IDNODE_REDIS_URL / IDNODE_REDIS_CLUSTER';
  if (b.url !== undefined) return { where: `the Redis store at ${b.url.replace(/\/\/[^/@]*@/, '//***@')}`, hint };
  return { where: `the Redis Cluster at ${(b.nodes ?? []).map((n) => `${n.host}:${n.port}`).join(',')}`, hint };
}

/** The store in use, as the startup log line names it: the backend and its path or address (no credentials). */
export function storeInUse(s: StoreSettings): Record<string, string> {
  const b = s.backend;
  if (b.kind === 'lmdb') return { backend: 'lmdb', path: join(s.dataDir, 'lmdb') };
  if (b.url !== undefined)
    return { backend: 'redis', address: b.url.replace(/\/\/[^/@]*@/, '//***@'), namespace: b.namespace };
  const nodes = (b.nodes ?? []).map((n) => `${n.host}:${n.port}`).join(',');
  return { backend: 'redis-cluster', address: nodes, namespace: b.namespace };
}
