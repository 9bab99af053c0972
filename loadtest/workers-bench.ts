import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, makeTempDir, removeDir, ROOT, spawnServer, type ServerProcess } from './lib/processes.ts';
import { BENCH_PREFIX, benchHandle, seedStore } from './lib/seed-store.ts';
import { measureInvalidation } from './workers/invalidation.ts';
import { benchNodeEnv } from './workers/node-env.ts';
import { pathsScript, runWrk, type WrkResult } from './workers/wrk.ts';

/**
 * npm run bench:workers   IDNODE_WORKERS=N against one process on the same machine, same data:
 *   closed loop with wrk (C; -t1 -c64, uniform random keys over the registered identifiers, cache
 *   hits after the first pass), server CPU from /proc/<pid>/stat summed over the primary and every
 *   worker, alternated rounds; then the cross-worker invalidation latency (PUT via one worker, GET
 *   via another until fresh).
 * --workers n (2) --rounds n (3) --duration s (5) --connections c (64) --keys n (1000) --invalidations n (200) --out dir
 */

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    keys: { type: 'string', default: '1000' },
    invalidations: { type: 'string', default: '200' },
    out: { type: 'string', default: join(import.meta.dirname, 'results') },
  },
});
const workers = Number(values.workers);
const rounds = Number(values.rounds);
const seconds = Number(values.duration);
const connections = Number(values.connections);
const keys = Number(values.keys);
const log = (line: string): void => void process.stderr.write(line + '\n');
const SECRET = randomBytes(18).toString('base64url');
const AUTH = `Basic ${Buffer.from(`300%3A${BENCH_PREFIX}/ADMIN:${SECRET}`).toString('base64')}`;

async function startNode(dataDir: string, n: number): Promise<ServerProcess> {
  const port = await freePort();
  const node = await spawnServer({
    name: n === 1 ? 'one-process' : `workers-${n}`,
    script: join(ROOT, 'node', 'src', 'main.ts'),
    port,
    readyPath: '/livez',
    timeoutMs: 60_000,
    env: { ...benchNodeEnv(dataDir, port, SECRET), IDNODE_WORKERS: String(n) },
  });
  if (n > 1) await everyWorkerListens(node.url, n);
  return node;
}

/** Slot 0 listens first; the others a few seconds later. */
async function everyWorkerListens(url: string, n: number): Promise<void> {
  const seen = new Set<string>();
  const deadline = Date.now() + 60_000;
  while (seen.size < n) {
    if (Date.now() > deadline) throw new Error(`only workers ${[...seen].join(',')} answered`);
    const agent = new Agent({ keepAlive: false });
    const slot = await new Promise<string | undefined>((resolve) =>
      get(`${url}/livez`, { agent }, (res) => {
        res.resume();
        resolve(res.headers['x-idnode-worker'] as string | undefined);
      }).on('error', () => resolve(undefined)),
    );
    if (slot !== undefined) seen.add(slot);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const r2 = (n: number): number => Math.round(n * 100) / 100;

const dirs = [await makeTempDir(), await makeTempDir()] as const;
const started: ServerProcess[] = [];
try {
  log(`load average before: ${loadavg().map(r2).join(' ')}; ${cpus().length} cores`);
  await Promise.all(dirs.map((d) => seedStore(d, keys)));
  const one = await startNode(dirs[0], 1);
  started.push(one);
  const many = await startNode(dirs[1], workers);
  started.push(many);
  const script = await pathsScript(
    dirs[0],
    Array.from({ length: keys }, (_, i) => `/api/handles/${benchHandle(i)}`),
  );
  const run = (node: ServerProcess, s: number): Promise<WrkResult> =>
    runWrk({ url: node.url, script, connections, seconds: s, serverPid: node.pid });
  // Warm both (every key cached, JIT warm), then alternate.
  await run(one, 2);
  await run(many, 2);
  const pairs: { one: WrkResult; many: WrkResult; cpu_ratio: number; rps_ratio: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    const a = await run(one, seconds);
    const b = await run(many, seconds);
    pairs.push({
      one: a,
      many: b,
      cpu_ratio: r2(b.serverUsPerRequest / a.serverUsPerRequest),
      rps_ratio: r2(b.rps / a.rps),
    });
    log(
      `round ${i + 1}: one ${a.rps} req/s ${a.serverUsPerRequest.toFixed(1)} µs/req; ${workers} workers ${b.rps} req/s ${b.serverUsPerRequest.toFixed(1)} µs/req`,
    );
  }
  const handle = benchHandle(0);
  const invalidation = await measureInvalidation(
    new URL(many.url).port === '' ? 80 : Number(new URL(many.url).port),
    handle,
    AUTH,
    Number(values.invalidations),
  );
  const summary = (pick: (p: (typeof pairs)[number]) => WrkResult) => ({
    rps: Math.round(median(pairs.map((p) => pick(p).rps))),
    server_us_per_request: r2(median(pairs.map((p) => pick(p).serverUsPerRequest))),
    server_cores: r2(median(pairs.map((p) => pick(p).serverCores))),
    wrk_cores: r2(median(pairs.map((p) => pick(p).wrkCores))),
    p50_ms: r2(median(pairs.map((p) => pick(p).p50Ms))),
    p99_ms: r2(median(pairs.map((p) => pick(p).p99Ms))),
  });
  const report = {
    machine: { cores: cpus().length, load_average_after: loadavg().map(r2) },
    generator: `wrk -t1 -c${connections} -d${seconds}s, uniform over ${keys} registered identifiers (cache hits), GET /api/handles/{id}`,
    workers,
    rounds,
    one_process: summary((p) => p.one),
    workers_n: summary((p) => p.many),
    per_worker_cpu_ratio_median: r2(median(pairs.map((p) => p.cpu_ratio))),
    throughput_ratio_median: r2(median(pairs.map((p) => p.rps_ratio))),
    pairs: pairs.map((p) => ({
      cpu_ratio: p.cpu_ratio,
      rps_ratio: p.rps_ratio,
      one_rps: p.one.rps,
      many_rps: p.many.rps,
    })),
    invalidation,
  };
  await mkdir(values.out, { recursive: true });
  await writeFile(join(values.out, 'workers.json'), JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
} finally {
  for (const s of started) await s.stop();
  for (const d of dirs) await removeDir(d);
}
