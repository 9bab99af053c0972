import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { processCpuUs } from './lib/native/proc-cpu.ts';
import { requireGenerators } from './lib/native/tools.ts';
import { runWrk, type KeySource, type LoadResult } from './lib/native/wrk.ts';
import { makeTempDir, removeDir } from './lib/processes.ts';
import { BENCH_PREFIX } from './lib/seed-store.ts';
import { startUpstreamPair, suffixOf } from './upstream/federation.ts';

/**
 * npm run bench:upstream   A caching node in front of a secondary, both real processes (mTLS gRPC
 * between them). On the caching node, alternated rounds of wrk (C, -t1):
 *   hit   uniform random keys over the registered identifiers, all cached beforehand;
 *   miss  every request a suffix nobody asked before (keys.lua "unknown" mode): the caching node's
 *         cache cannot help, each request crosses the gRPC stream and the secondary's store answers
 *         "not found".
 * Reports req/s, p50/p99, server CPU µs per request of BOTH processes (/proc/<pid>/stat), and the
 * ratio miss/hit of throughput, paired per round. The Done-when target is miss/hit >= 0.5.
 * --keys n (1000) --rounds n (3) --duration s (5) --connections c (64) --out dir
 * --cpu-prof dir --only miss: profile both nodes on one scenario (no report): <dir>/caching, <dir>/secondary.
 */

const { values } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    'cpu-prof': { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string', default: join(import.meta.dirname, 'results') },
  },
});
const keys = Number(values.keys);
const rounds = Number(values.rounds);
const seconds = Number(values.duration);
const connections = Number(values.connections);
const log = (line: string): void => void process.stderr.write(line + '\n');
const r2 = (n: number): number => Math.round(n * 100) / 100;
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Measured extends LoadResult {
  readonly secondaryCpuUsPerReq: number;
  readonly secondaryCores: number;
}

requireGenerators();
const dir = await makeTempDir();
const profDir = values['cpu-prof'];
// Both processes profiled, each into its own directory (<dir>/caching, <dir>/secondary).
const profArgs = (who: string): string[] =>
  profDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(profDir, who)}`];
const pair = await startUpstreamPair(dir, keys, profArgs('caching'), {}, profArgs('secondary'));
try {
  log(`load average before: ${loadavg().map(r2).join(' ')}; ${cpus().length} cores; ${keys} identifiers registered`);
  const pathFile = join(dir, 'hit.paths');
  const api = `/api/handles/${BENCH_PREFIX}/`;
  await writeFile(pathFile, Array.from({ length: keys }, (_, i) => api + suffixOf(i)).join('\n') + '\n');
  const sources: Record<'hit' | 'miss', KeySource> = {
    hit: { mode: 'file', arg: pathFile },
    miss: { mode: 'unknown', arg: api },
  };
  let seed = 1;
  const run = async (kind: 'hit' | 'miss', s: number): Promise<Measured> => {
    const sec0 = processCpuUs(pair.secondary.pid);
    const t0 = performance.now();
    const r = await runWrk({
      url: pair.caching.url,
      serverPid: pair.caching.pid,
      connections,
      durationS: s,
      keys: sources[kind],
      seed: seed++,
    });
    const secUs = processCpuUs(pair.secondary.pid) - sec0;
    const wallS = (performance.now() - t0) / 1000;
    return { ...r, secondaryCpuUsPerReq: r.requests > 0 ? secUs / r.requests : 0, secondaryCores: secUs / 1e6 / wallS };
  };
  // Every registered key asked once (cached), then JIT warm-up of both paths.
  for (let i = 0; i < keys; i++) await (await fetch(pair.caching.url + api + suffixOf(i))).arrayBuffer();
  await run('hit', 2);
  await run('miss', 2);
  const only = values.only === 'hit' || values.only === 'miss' ? values.only : undefined;
  if (only !== undefined) {
    const r = await run(only, seconds);
    log(
      `${only} only: ${Math.round(r.rps)} req/s ${r.serverCpuUsPerReq.toFixed(1)} µs/req; load ${loadavg().map(r2).join(' ')}`,
    );
  }
  const pairs: Pair[] = [];
  for (let i = 0; i < (only === undefined ? rounds : 0); i++) {
    const hit = await run('hit', seconds);
    const miss = await run('miss', seconds);
    const load = loadavg().map(r2);
    pairs.push({ hit, miss, ratio: r2(miss.rps / hit.rps), load });
    log(
      `round ${i + 1}: hit ${Math.round(hit.rps)} req/s ${hit.serverCpuUsPerReq.toFixed(1)} µs/req; ` +
        `miss ${Math.round(miss.rps)} req/s ${miss.serverCpuUsPerReq.toFixed(1)} µs/req caching + ` +
        `${miss.secondaryCpuUsPerReq.toFixed(1)} µs/req secondary; miss/hit ${r2(miss.rps / hit.rps)}; load ${load.join(' ')}`,
    );
  }
  if (only === undefined) await writeReport(pairs);
} finally {
  await pair.stop();
  await removeDir(dir);
}

type Pair = { hit: Measured; miss: Measured; ratio: number; load: number[] };

async function writeReport(pairs: readonly Pair[]): Promise<void> {
  const summary = (pick: (p: Pair) => Measured) => ({
    rps: Math.round(median(pairs.map((p) => pick(p).rps))),
    p50_us: median(pairs.map((p) => pick(p).p50Us)),
    p99_us: median(pairs.map((p) => pick(p).p99Us)),
    caching_cpu_us_per_request: r2(median(pairs.map((p) => pick(p).serverCpuUsPerReq))),
    caching_cores: r2(median(pairs.map((p) => pick(p).serverCores))),
    secondary_cpu_us_per_request: r2(median(pairs.map((p) => pick(p).secondaryCpuUsPerReq))),
    secondary_cores: r2(median(pairs.map((p) => pick(p).secondaryCores))),
    wrk_cores: r2(median(pairs.map((p) => pick(p).generatorCores))),
    socket_errors: pairs.reduce((n, p) => n + pick(p).socketErrors, 0),
  });
  const report = {
    machine: { cores: cpus().length, load_average_after: loadavg().map(r2) },
    generator: `wrk -t1 -c${connections} -d${seconds}s on the caching node, GET /api/handles/{id}`,
    keys,
    rounds,
    hit: summary((p) => p.hit),
    miss: summary((p) => p.miss),
    miss_over_hit_rps_median: r2(median(pairs.map((p) => p.ratio))),
    target: 'miss_over_hit_rps_median >= 0.5',
    pairs: pairs.map((p) => ({
      ratio: p.ratio,
      hit_rps: Math.round(p.hit.rps),
      miss_rps: Math.round(p.miss.rps),
      load: p.load,
    })),
  };
  await mkdir(values.out, { recursive: true });
  await writeFile(join(values.out, 'upstream.json'), JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}
