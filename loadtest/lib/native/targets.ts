import { randomBytes } from 'node:crypto';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, ROOT, spawnServer, type ServerProcess } from '../processes.ts';
import { startRedisServer, type RedisProcess } from '../redis-server.ts';
import { BENCH_PREFIX, benchHandle, seedRedis, seedStore } from '../seed-store.ts';
import type { KeyStream, NodeTarget } from './scenarios.ts';

/**
 * The servers of one bench run: the node targets (each its own process and store copy), a
 * redis-server when a Redis scenario runs, and the bare mirror, started last from the node's own
 * answers so its bytes match.
 */

export interface Targets {
  readonly nodes: ReadonlyMap<NodeTarget, ServerProcess>;
  readonly bare: ServerProcess;
  readonly redis: RedisProcess | undefined;
  /** Path files for wrk (one path per line) and URI files for h2load, per key stream. */
  readonly pathFile: (k: Exclude<KeyStream, 'unknown'>) => string;
  readonly unknownPrefix: string;
  stop(): Promise<void>;
}

const API = '/api/handles/';
const negativeHandle = (i: number): string => `${BENCH_PREFIX}/NX-${String(i).padStart(6, '0')}`;

function nodeEnv(target: NodeTarget, redisUrl: string | undefined): Record<string, string> {
  if (target === 'node') return {};
  if (target === 'node-nocache') return { IDNODE_CACHE: 'off' };
  if (target === 'node-signed') return { IDNODE_SIGN_ANSWERS: 'always' };
  return { IDNODE_CACHE: 'off', IDNODE_REDIS_URL: redisUrl ?? '' };
}

async function startNode(dir: string, target: NodeTarget, redisUrl: string | undefined): Promise<ServerProcess> {
  const port = await freePort();
  const env = {
    IDNODE_DATA_DIR: dir,
    IDNODE_HTTP_PORT: String(port),
    IDNODE_HOST: '127.0.0.1',
    IDNODE_ADMIN_SECRET: randomBytes(18).toString('base64url'),
    IDNODE_LOG_LEVEL: 'warn',
    IDNODE_PREFIXES: BENCH_PREFIX,
    ...nodeEnv(target, redisUrl),
  };
  return spawnServer({ name: target, script: join(ROOT, 'node', 'src', 'main.ts'), port, env, readyPath: '/livez' });
}

interface Answer {
  status: number;
  location?: string;
  body?: string;
  contentType?: string;
}

async function answerOf(url: string): Promise<Answer> {
  const res = await fetch(url, { redirect: 'manual' });
  const body = await res.text();
  const location = res.headers.get('location') ?? undefined;
  const contentType = res.headers.get('content-type') ?? undefined;
  return { status: res.status, ...(location ? { location } : {}), ...(body ? { body, contentType } : {}) };
}

/** Every path of the streams, asked of the node once: the mirror's answers, and the node's cache warmed. */
async function mirrorAnswers(node: string, paths: readonly string[], unknownPrefix: string): Promise<object> {
  const answers: Record<string, Answer> = {};
  for (const p of paths) answers[p] = await answerOf(node + p);
  // Same length as keys.lua's suffixes (U + 12 hex digits), so the 404 bodies have the same size.
  const apiMiss = await answerOf(node + unknownPrefix + 'U0123456789ab');
  const qrMiss = await answerOf(`${node}/${BENCH_PREFIX}/U0123456789ab`);
  return { answers, apiMiss, qrMiss };
}

export async function startTargets(
  dataDir: string,
  keyCount: number,
  wanted: ReadonlySet<NodeTarget>,
  log: (l: string) => void,
): Promise<Targets> {
  const nodes = new Map<NodeTarget, ServerProcess>();
  let redis: RedisProcess | undefined;
  let bare: ServerProcess | undefined;
  const stop = async (): Promise<void> => {
    for (const n of nodes.values()) await n.stop();
    await bare?.stop();
    await redis?.stop();
  };
  try {
    await seedStore(dataDir, keyCount);
    log(`seeded ${keyCount} identifiers into LMDB`);
    if (wanted.has('node-redis')) {
      const redisDir = join(dataDir, 'redis');
      await mkdir(redisDir);
      redis = await startRedisServer(redisDir, await freePort());
      await seedRedis(redis.url, keyCount);
      log(`seeded ${keyCount} identifiers into redis-server (pid ${redis.pid})`);
    }
    for (const target of ['node', ...wanted] as NodeTarget[]) {
      if (nodes.has(target)) continue;
      const dir = target === 'node' ? dataDir : join(dataDir, target);
      if (target === 'node-nocache' || target === 'node-signed')
        await cp(join(dataDir, 'lmdb'), join(dir, 'lmdb'), { recursive: true });
      if (target === 'node-redis') await mkdir(dir);
      nodes.set(target, await startNode(dir, target, redis?.url));
    }
    const files = {
      qr: Array.from({ length: keyCount }, (_, i) => `/${benchHandle(i)}`),
      api: Array.from({ length: keyCount }, (_, i) => API + benchHandle(i)),
      negative: Array.from({ length: Math.min(keyCount, 1_000) }, (_, i) => API + negativeHandle(i)),
    };
    const unknownPrefix = `${API}${BENCH_PREFIX}/`;
    for (const [k, paths] of Object.entries(files))
      await writeFile(join(dataDir, `${k}.paths`), paths.join('\n') + '\n');
    const node = nodes.get('node')!;
    // The signed node's cache is warmed like the node's below (asked twice: TinyLFU admits on the second).
    const signed = nodes.get('node-signed');
    if (signed !== undefined) for (const p of [...files.api, ...files.api]) await answerOf(signed.url + p);
    const all = [...files.qr, ...files.api, ...files.negative];
    await writeFile(join(dataDir, 'answers.json'), JSON.stringify(await mirrorAnswers(node.url, all, unknownPrefix)));
    const port = await freePort();
    const script = join(ROOT, 'loadtest', 'servers', 'bare-mirror.ts');
    const env = { BARE_PORT: String(port), BARE_ANSWERS: join(dataDir, 'answers.json') };
    bare = await spawnServer({ name: 'bare', script, port, env, readyPath: '/livez' });
    const pathFile = (k: Exclude<KeyStream, 'unknown'>): string => join(dataDir, `${k}.paths`);
    return { nodes, bare, redis, pathFile, unknownPrefix, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
