import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { generateCerts } from '../../node/src/federation/certs-command.ts';
import { freePort, ROOT, spawnServer, type ServerProcess } from '../lib/processes.ts';
import { BENCH_PREFIX } from '../lib/seed-store.ts';

/**
 * The two real processes of the upstream bench: a secondary homing BENCH_PREFIX (LMDB in a temp
 * dir, identifiers registered through its batch API) and a caching node whose upstream is that
 * secondary over mTLS gRPC. The secondary's own top-level is a port nobody listens on: it keeps
 * retrying registration, which costs nothing, and answers its homed prefix from its store.
 */

export interface UpstreamPair {
  readonly secondary: ServerProcess;
  readonly caching: ServerProcess;
  /** The admin secret of both nodes (writes to the secondary's prefix need it). */
  readonly secret: string;
  stop(): Promise<void>;
}

const MAIN = join(ROOT, 'node', 'src', 'main.ts');
const BATCH_LINES = 5_000;

export const suffixOf = (i: number): string => `UP-${String(i).padStart(7, '0')}`;

async function node(
  dir: string,
  name: string,
  secret: string,
  env: Record<string, string>,
  extraArgs: readonly string[],
): Promise<ServerProcess & { grpc: string }> {
  const [http, grpc] = [await freePort(), await freePort()];
  const p = await spawnServer({
    name,
    script: MAIN,
    port: http,
    readyPath: '/livez',
    timeoutMs: 60_000,
    nodeArgs: extraArgs,
    env: {
      IDNODE_DATA_DIR: join(dir, name),
      IDNODE_HTTP_PORT: String(http),
      IDNODE_GRPC_PORT: String(grpc),
      IDNODE_HOST: '127.0.0.1',
      IDNODE_TLS_DIR: join(dir, 'certs', name),
      IDNODE_ADMIN_SECRET: secret,
      IDNODE_LOG_LEVEL: 'warn',
      IDNODE_DRAIN_DELAY_MS: '0',
      ...env,
    },
  });
  return { ...p, grpc: `127.0.0.1:${grpc}` };
}

/** Registers `count` identifiers through POST .../identifiers:batch (NDJSON), checking every line. */
async function registerBatch(url: string, secret: string, count: number): Promise<void> {
  const auth = `Basic ${Buffer.from(`300%3A${encodeURIComponent(`${BENCH_PREFIX}/ADMIN`)}:${secret}`).toString('base64')}`;
  for (let start = 0; start < count; start += BATCH_LINES) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(count, start + BATCH_LINES); i++) {
      lines.push(
        JSON.stringify({ suffix: suffixOf(i), values: [{ index: 1, type: 'URL', data: `https://p.example/${i}` }] }),
      );
    }
    const res = await fetch(`${url}/api/admin/prefixes/${BENCH_PREFIX}/identifiers:batch`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-ndjson' },
      body: lines.join('\n') + '\n',
    });
    const text = await res.text();
    const bad = text.split('\n').filter((l) => l !== '' && !l.includes('"ok":true'));
    if (!res.ok || bad.length > 0) throw new Error(`batch registration failed (${res.status}): ${bad[0] ?? text}`);
  }
}

export async function startUpstreamPair(
  dir: string,
  count: number,
  cachingArgs: readonly string[],
  cachingEnv: Record<string, string> = {},
  secondaryArgs: readonly string[] = [],
  secondaryEnv: Record<string, string> = {},
): Promise<UpstreamPair> {
  await generateCerts({ out: join(dir, 'certs'), nodes: ['secondary', 'caching'] });
  const secret = randomBytes(18).toString('base64url');
  const started: ServerProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const s of started.reverse()) await s.stop();
  };
  try {
    const nobody = `127.0.0.1:${await freePort()}`;
    const secondary = await node(
      dir,
      'secondary',
      secret,
      { IDNODE_ROLE: 'secondary', IDNODE_PREFIXES: BENCH_PREFIX, IDNODE_UPSTREAM: nobody, ...secondaryEnv },
      secondaryArgs,
    );
    started.push(secondary);
    await registerBatch(secondary.url, secret, count);
    const caching = await node(
      dir,
      'caching',
      secret,
      { IDNODE_ROLE: 'caching', IDNODE_UPSTREAM: secondary.grpc, ...cachingEnv },
      cachingArgs,
    );
    started.push(caching);
    return { secondary, caching, secret, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
