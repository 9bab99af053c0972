import { link, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeNdjson } from '../node/test/cli/cli-helpers.ts';
import { freePort } from '../node/test/helpers/spawn-node.ts';
import { CHUNKS_IN_FLIGHT } from '../node/src/http/routes/admin-identifiers-batch.ts';
import { lmdbFloor, type FloorResult } from './lib/import-floor.ts';
import { redisFloor, type RedisFloorResult } from './lib/redis-floor.ts';
import { importWithCrash, type ImportRunResult } from './lib/import-run.ts';
import { machineInfo } from './lib/machine.ts';
import { ROOT } from './lib/processes.ts';
import { startRedisServer, type AppendFsync } from './lib/redis-server.ts';

/**
 * `npm run bench:import [-- --lines 1000000 --chunk 2000 --parallel 4 --redis-lines N --skip-redis --tlog on|off]`
 *
 * The import path against its physical floor, in one run on one machine:
 * 1. FLOOR: a bare lmdb-js loop writing the same record shape and its change-log entry, `chunk`
 *    lines per durable transaction (lib/import-floor.ts), twice: each transaction awaited before
 *    the next, and with as many in flight as the node can have (parallel x the route's chunks in
 *    flight, which lmdb-js batches into one transaction as it does the node's). The faster of the
 *    two is THE floor every ratio is taken to.
 * 2. LMDB: `idnode import` of `lines` NDJSON lines into a real node process on LMDB (durable),
 *    the node SIGKILLed half-way and restarted, the import resumed (lib/import-run.ts); exactly
 *    `lines` identifiers afterwards, every acknowledged line among them. Target >= 0.5x the floor.
 * 3. Redis: the same into a node on a redis-server started here, AOF appendfsync everysec and
 *    always. Target >= 0.3x the floor. For context, a bare ioredis MULTI/EXEC floor first
 *    (lib/redis-floor.ts), on a server of its own with the same settings, so the import's server
 *    starts empty (the floor's million records would double what its AOF rewrites).
 * `--tlog on|off` sets the nodes' IDNODE_TLOG (default: the node's default, on); the issue's
 * target is the rate with the log >= 0.9x the rate without, so compare runs alternated.
 * The report goes to stdout and to loadtest/results/import-<time>.{json,md}.
 */

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    'redis-lines': { type: 'string' },
    chunk: { type: 'string', default: '2000' },
    parallel: { type: 'string', default: '4' },
    'skip-redis': { type: 'boolean', default: false },
    'skip-lmdb': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    // The node's IDNODE_REDIS_TIMEOUT_MS; unset = the default (bulk commits scale their own deadline).
    'redis-timeout-ms': { type: 'string' },
    // The transparency log (ADR 0012) of the nodes under test.
    tlog: { type: 'string' },
  },
});
if (values.tlog !== undefined && values.tlog !== 'on' && values.tlog !== 'off') {
  process.stderr.write(`--tlog takes on or off, not ${values.tlog}\n`);
  process.exit(2);
}
/** Every node this run starts gets these, whatever its store. */
const tlogEnv: Record<string, string> = values.tlog === undefined ? {} : { IDNODE_TLOG: values.tlog };
const lines = Number(values.lines);
const redisLines = Number(values['redis-lines'] ?? values.lines);
const chunk = Number(values.chunk);
const parallel = Number(values.parallel);
const log = (m: string) => process.stdout.write(`${m}\n`);
const round = (x: number, d = 1) => Number(x.toFixed(d));
const loadNow = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const command = `npm run bench:import -- ${process.argv.slice(2).join(' ')}`.trim();

const dir = await mkdtemp(join(tmpdir(), 'idnode-import-bench-'));
const startLoad = loadavg().map((x) => round(x, 2));
log(`${command}\nload average at start: ${startLoad.join(' ')}; temp dir ${dir}`);

/** One NDJSON file per size, hard-linked into each run's directory (each run keeps its own checkpoint). */
const sources = new Map<number, string>();
async function inputFor(runDir: string, n: number): Promise<string> {
  let source = sources.get(n);
  if (source === undefined) {
    source = join(dir, `items-${n}.ndjson`);
    const t = performance.now();
    await writeNdjson(source, n);
    const mb = (await stat(source)).size / 1e6;
    log(`generated ${n} lines (${mb.toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    sources.set(n, source);
  }
  await mkdir(runDir, { recursive: true });
  const file = join(runDir, 'items.ndjson');
  await link(source, file);
  return file;
}

const describeRun = (r: ImportRunResult, floor: FloorResult): string =>
  `${r.label}: ${r.lines} lines in ${r.seconds.toFixed(1)} s = ${Math.round(r.linesPerSecond)} lines/s ` +
  `(${Math.round(r.linesPerSecondExcludingDowntime)} without the ${r.downtimeSeconds.toFixed(1)} s the node was down), ` +
  `ratio to floor ${(r.linesPerSecond / floor.linesPerSecond).toFixed(3)} ` +
  `(${(r.linesPerSecondExcludingDowntime / floor.linesPerSecond).toFixed(3)}); node SIGKILLed at progress line ` +
  `${r.killedAtProgressLine} with ${r.ackedBeforeKill} acknowledged, resumed by ${r.resumedBy}; ` +
  `${r.identifiers} identifiers (${r.distinct} distinct), ${r.errorLines} error lines ${JSON.stringify(r.errorCodes)}: ` +
  `${r.ok ? 'OK' : 'MISMATCH'}`;

const redisTimeoutMs = values['redis-timeout-ms'];
const redisFloors: (RedisFloorResult & { readonly appendfsync: AppendFsync })[] = [];

/** The bare ioredis floor on a server of its own: the import's server starts empty, as LMDB's data dir does. */
async function bareRedis(runDir: string, fsync: AppendFsync): Promise<void> {
  const floorDir = join(runDir, 'redis-floor');
  await mkdir(floorDir, { recursive: true });
  const server = await startRedisServer(floorDir, await freePort(), 10_000, fsync);
  try {
    const bare = await redisFloor(server.url, redisLines, chunk);
    redisFloors.push({ ...bare, appendfsync: fsync });
    log(
      `bare Redis (appendfsync ${fsync}, ${chunk} lines per MULTI/EXEC): ${Math.round(bare.linesPerSecond)} lines/s ` +
        `(load ${loadNow()})`,
    );
  } finally {
    await server.stop();
    await rm(floorDir, { recursive: true, force: true });
  }
}

async function redisRun(fsync: AppendFsync): Promise<ImportRunResult> {
  const runDir = join(dir, `redis-${fsync}`);
  const file = await inputFor(runDir, redisLines);
  await bareRedis(runDir, fsync);
  const redisDir = join(runDir, 'redis');
  await mkdir(redisDir, { recursive: true });
  const redis = await startRedisServer(redisDir, await freePort(), 10_000, fsync);
  try {
    return await importWithCrash({
      label: `redis (appendfsync ${fsync})`,
      dir: runDir,
      file,
      lines: redisLines,
      chunk,
      parallel,
      // A 2,000-line commit is one Lua script of ~1 MB: on a loaded 2-core machine it can take longer
      // than the 1 s default deadline meant for single reads and writes.
      storeEnv: {
        ...tlogEnv,
        IDNODE_REDIS_URL: redis.url,
        ...(redisTimeoutMs === undefined ? {} : { IDNODE_REDIS_TIMEOUT_MS: redisTimeoutMs }),
      },
    });
  } finally {
    await redis.stop();
  }
}

try {
  const floors: FloorResult[] = [];
  for (const inFlight of [1, parallel * CHUNKS_IN_FLIGHT]) {
    const f = await lmdbFloor(join(dir, `floor-${inFlight}`), lines, chunk, inFlight);
    floors.push(f);
    log(
      `bare lmdb-js, ${chunk} lines per durable transaction, ${inFlight} in flight: ${lines} lines in ` +
        `${f.seconds.toFixed(1)} s = ${Math.round(f.linesPerSecond)} lines/s (load ${loadNow()})`,
    );
  }
  const floor = floors.reduce((a, b) => (b.linesPerSecond > a.linesPerSecond ? b : a));
  log(`floor: ${Math.round(floor.linesPerSecond)} lines/s (${floor.inFlight} in flight)`);
  const runs: ImportRunResult[] = [];
  if (!values['skip-lmdb']) {
    const lmdbDir = join(dir, 'lmdb');
    const lmdb = await importWithCrash({
      label: 'lmdb',
      dir: lmdbDir,
      file: await inputFor(lmdbDir, lines),
      lines,
      chunk,
      parallel,
      storeEnv: tlogEnv,
    });
    runs.push(lmdb);
    log(`${describeRun(lmdb, floor)} (load ${loadNow()})`);
  }
  if (!values['skip-redis']) {
    for (const fsync of ['everysec', 'always'] as const) {
      const r = await redisRun(fsync);
      runs.push(r);
      log(`${describeRun(r, floor)} (load ${loadNow()})`);
    }
  }
  const endLoad = loadavg().map((x) => round(x, 2));
  const targets = runs.map((r) => ({
    label: r.label,
    target: r.label === 'lmdb' ? 0.5 : 0.3,
    ratio: round(r.linesPerSecond / floor.linesPerSecond, 3),
    ratioExcludingDowntime: round(r.linesPerSecondExcludingDowntime / floor.linesPerSecond, 3),
  }));
  const report = {
    command,
    machine: machineInfo(),
    loadAverage: { start: startLoad, end: endLoad },
    floor,
    floors,
    redisFloors,
    runs,
    targets,
  };
  log(`load average at end: ${endLoad.join(' ')}`);
  for (const t of targets) {
    log(`${t.label}: ${t.ratio}x the floor (${t.ratioExcludingDowntime}x without downtime), target >= ${t.target}x`);
  }
  await writeReport(report);
  if (runs.some((r) => !r.ok)) process.exitCode = 1;
} finally {
  if (!values.keep) await rm(dir, { recursive: true, force: true });
}

async function writeReport(report: {
  command: string;
  loadAverage: { start: number[]; end: number[] };
  floor: FloorResult;
  floors: FloorResult[];
  redisFloors: (RedisFloorResult & { readonly appendfsync: AppendFsync })[];
  runs: ImportRunResult[];
  targets: { label: string; target: number; ratio: number; ratioExcludingDowntime: number }[];
}): Promise<void> {
  const out = join(ROOT, 'loadtest', 'results');
  await mkdir(out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const base = join(out, `import-${stamp}`);
  await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const rows = report.runs.map((r, i) => {
    const t = report.targets[i]!;
    return (
      `| ${r.label} | ${r.lines} | ${Math.round(r.linesPerSecond)} | ${Math.round(r.linesPerSecondExcludingDowntime)} | ` +
      `${t.ratio} (${t.ratioExcludingDowntime}) | >= ${t.target} | ${r.ackedBeforeKill} | ${r.identifiers} | ${r.ok ? 'OK' : 'MISMATCH'} |`
    );
  });
  const md = [
    `# bench:import`,
    '',
    `\`${report.command}\` - load average ${report.loadAverage.start.join(' ')} at start, ${report.loadAverage.end.join(' ')} at end.`,
    '',
    `Floor: bare lmdb-js, ${report.floor.txnSize} lines per durable transaction: ${Math.round(report.floor.linesPerSecond)} lines/s ` +
      `(the faster of: ${report.floors.map((f) => `${f.inFlight} in flight ${Math.round(f.linesPerSecond)}`).join(', ')}).`,
    ...report.redisFloors.map(
      (f) =>
        `Bare Redis (appendfsync ${f.appendfsync}), ${f.txnSize} lines per pipelined MULTI/EXEC: ${Math.round(f.linesPerSecond)} lines/s (context only).`,
    ),
    '',
    '| run | lines | lines/s | lines/s w/o downtime | x floor | target | acked at kill | identifiers | check |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  await writeFile(`${base}.md`, md);
  process.stdout.write(`report: ${base}.json, ${base}.md\n`);
}
