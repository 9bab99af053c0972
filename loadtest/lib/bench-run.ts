import { randomBytes } from 'node:crypto';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ADMISSION_CACHE_MB,
  BASELINE,
  scenarioByName,
  type Scenario,
  type ScenarioContext,
  type Target,
} from '../scenarios/registry.ts';
import { runClosedLoop } from './closed-loop.ts';
import { kneeResult, searchKnee } from './knee.ts';
import { machineInfo } from './machine.ts';
import type { Measurement } from './measurement.ts';
import { runOpenLoop } from './open-loop.ts';
import { freePort, makeTempDir, removeDir, ROOT, spawnServer, type ServerProcess } from './processes.ts';
import { renderMarkdown } from './report-markdown.ts';
import { roundSummaries, summarise, type BenchReport, type Pair, type ScenarioResult } from './results.ts';
import { startRedisServer, type RedisProcess } from './redis-server.ts';
import { seedRedis, seedStore } from './seed-store.ts';
import { median, round, safeRatio } from './stats.ts';

export interface BenchOptions {
  readonly mode: string;
  readonly scenarios: readonly string[];
  readonly rounds: number;
  readonly durationS: number;
  readonly connections: number;
  readonly keyCount: number;
  readonly warmupS: number;
  readonly openLoopDurationS: number;
  /** Offered rate of an open-loop scenario as a fraction of its rateFrom scenario's throughput. */
  readonly openLoopFraction: number;
  readonly kneeStepS: number;
  readonly kneeMaxSteps: number;
  readonly kneeTargetP99Ms: number;
  readonly seed: number;
  readonly outDir: string;
  readonly log: (line: string) => void;
}

interface Targets {
  readonly servers: ReadonlyMap<Target, ServerProcess>;
  readonly redis: RedisProcess | undefined;
  readonly ctx: ScenarioContext;
}

const PREFIX = '88.100.5';

const basicAuth = (secret: string): string =>
  `Basic ${Buffer.from(`300%3A${PREFIX}/ADMIN:${secret}`).toString('base64')}`;

type NodeTarget = Exclude<Target, 'bare'>;

/** What each node target adds to the default environment (see Target in the registry). */
function targetEnv(target: NodeTarget, redisUrl: string | undefined): Record<string, string> {
  switch (target) {
    case 'node':
      return {};
    case 'node-nocache':
      return { IDNODE_CACHE: 'off' };
    case 'node-redis':
      return { IDNODE_CACHE: 'off', IDNODE_REDIS_URL: redisUrl ?? '' };
    case 'node-lru':
      return { IDNODE_CACHE_POLICY: 'lru', IDNODE_CACHE_MAX_MB: String(ADMISSION_CACHE_MB) };
    case 'node-tinylfu':
      return { IDNODE_CACHE_POLICY: 'tinylfu', IDNODE_CACHE_MAX_MB: String(ADMISSION_CACHE_MB) };
    case 'node-accesslog':
      return { IDNODE_LOG_LEVEL: 'info', IDNODE_ACCESS_LOG_SAMPLE: '1' };
  }
}

async function startNode(dataDir: string, secret: string, extra: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const env = {
    IDNODE_DATA_DIR: dataDir,
    IDNODE_HTTP_PORT: String(port),
    IDNODE_HOST: '127.0.0.1',
    IDNODE_ADMIN_SECRET: secret,
    IDNODE_LOG_LEVEL: 'warn',
    IDNODE_PREFIXES: PREFIX,
    ...extra,
  };
  return spawnServer({ name: 'node', script: join(ROOT, 'node', 'src', 'main.ts'), port, env, readyPath: '/livez' });
}

async function startBare(): Promise<ServerProcess> {
  const port = await freePort();
  const script = join(ROOT, 'loadtest', 'servers', 'bare-route.ts');
  return spawnServer({ name: 'bare', script, port, env: { BARE_PORT: String(port) }, readyPath: '/livez' });
}

async function stopTargets(t: { servers: Map<Target, ServerProcess>; redis: RedisProcess | undefined }): Promise<void> {
  for (const server of t.servers.values()) await server.stop();
  await t.redis?.stop();
}

/**
 * Seeds the stores before any node opens them, then starts the servers the wanted scenarios
 * need (each its own process). LMDB nodes other than `node` get a copy of the seeded store.
 */
async function startTargets(o: BenchOptions, dataDir: string, wanted: readonly Scenario[]): Promise<Targets> {
  const secret = randomBytes(18).toString('base64url');
  const needed = new Set<Target>(['bare', ...wanted.map((s) => s.target)]);
  const nodeTargets = [...needed].filter((x): x is NodeTarget => x !== 'bare');
  const t = performance.now();
  await seedStore(dataDir, o.keyCount);
  o.log(`seeded ${o.keyCount} identifiers into LMDB in ${Math.round(performance.now() - t)} ms`);
  const started = { servers: new Map<Target, ServerProcess>(), redis: undefined as RedisProcess | undefined };
  try {
    if (needed.has('node-redis')) {
      const redisDir = join(dataDir, 'redis');
      await mkdir(redisDir);
      started.redis = await startRedisServer(redisDir, await freePort());
      const r = performance.now();
      await seedRedis(started.redis.url, o.keyCount);
      o.log(`seeded ${o.keyCount} identifiers into redis-server in ${Math.round(performance.now() - r)} ms`);
    }
    started.servers.set('bare', await startBare());
    for (const target of nodeTargets) {
      const dir = target === 'node' ? dataDir : join(dataDir, target);
      if (target !== 'node' && target !== 'node-redis')
        await cp(join(dataDir, 'lmdb'), join(dir, 'lmdb'), { recursive: true });
      else if (target === 'node-redis') await mkdir(dir);
      started.servers.set(target, await startNode(dir, secret, targetEnv(target, started.redis?.url)));
    }
  } catch (e) {
    await stopTargets(started);
    throw e;
  }
  return { ...started, ctx: { keyCount: o.keyCount, seed: o.seed, adminAuth: basicAuth(secret) } };
}

function urlOf(t: Targets, s: Scenario): string {
  const server = t.servers.get(s.target);
  if (!server) throw new Error(`${s.name}: target ${s.target} was not started`);
  return server.url;
}

/** Cache lookups so far (idnode_cache_lookups_total by result); undefined without a cache. */
async function cacheLookups(url: string): Promise<{ hit: number; miss: number; stale: number } | undefined> {
  const text = await (await fetch(url + '/metrics')).text();
  const read = (result: string): number | undefined => {
    const m = new RegExp(`^idnode_cache_lookups_total\\{result="${result}"\\} ([0-9.e+]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const [hit, miss, stale] = [read('hit'), read('miss'), read('stale')];
  if (hit === undefined || miss === undefined) return undefined;
  return { hit, miss, stale: stale ?? 0 };
}

async function closedRun(t: Targets, o: BenchOptions, s: Scenario, durationS = o.durationS): Promise<Measurement> {
  const next = s.requests(t.ctx);
  const url = urlOf(t, s);
  const before = s.target === 'bare' ? undefined : await cacheLookups(url);
  const m = await runClosedLoop({ url, connections: o.connections, durationS, next, expectStatus: s.expectStatus });
  const after = before === undefined ? undefined : await cacheLookups(url);
  if (before === undefined || after === undefined) return m;
  const hits = after.hit - before.hit;
  const lookups = hits + after.miss - before.miss + after.stale - before.stale;
  return lookups > 0 ? { ...m, cacheHitRate: hits / lookups } : m;
}

function openRun(t: Targets, o: BenchOptions, s: Scenario, rps: number, durationS: number): Promise<Measurement> {
  const next = s.requests(t.ctx);
  return runOpenLoop({
    url: urlOf(t, s),
    rps,
    durationS,
    maxSockets: o.connections,
    next,
    expectStatus: s.expectStatus,
  });
}

/** bare, X, bare, X, ...: both sides of a pair see the same neighbours, so their ratio is stable. */
async function runPairs(o: BenchOptions, s: Scenario, run: (s: Scenario) => Promise<Measurement>): Promise<Pair[]> {
  const base = scenarioByName(BASELINE);
  const pairs: Pair[] = [];
  for (let r = 1; r <= o.rounds; r++) {
    const baseline = await run(base);
    const scenario = await run(s);
    o.log(`  ${s.name} round ${r}: ${scenario.rps} rps (baseline ${baseline.rps}), p99 ${scenario.p99_ms} ms`);
    pairs.push({ baseline, scenario });
  }
  return pairs;
}

function pairedResult(s: Scenario, pairs: readonly Pair[]): ScenarioResult {
  const rounds = roundSummaries(pairs);
  const hitRates = pairs.flatMap((p) => (p.scenario.cacheHitRate === undefined ? [] : [p.scenario.cacheHitRate]));
  return {
    name: s.name,
    kind: s.kind,
    target: s.target,
    description: s.description,
    ...summarise(pairs.map((p) => p.scenario)),
    ratio_to_baseline: round(median(rounds.map((r) => r.ratio))),
    ...(hitRates.length > 0 ? { cache_hit_rate: round(median(hitRates)) } : {}),
    rounds,
  };
}

function baselineResult(runs: readonly Measurement[]): ScenarioResult {
  const s = scenarioByName(BASELINE);
  const rounds = runs.map((m, i) => ({
    round: i + 1,
    rps: m.rps,
    p99_ms: m.p99_ms,
    baseline_rps: m.rps,
    baseline_p99_ms: m.p99_ms,
    ratio: 1,
  }));
  return {
    name: s.name,
    kind: s.kind,
    target: s.target,
    description: s.description,
    ...summarise(runs),
    ratio_to_baseline: 1,
    rounds,
  };
}

/** The throughput an open-loop scenario's rate is derived from: this run's figure, or a short probe. */
async function referenceRps(
  t: Targets,
  o: BenchOptions,
  s: Scenario,
  done: Map<string, ScenarioResult>,
): Promise<number> {
  const known = s.rateFrom === undefined ? undefined : done.get(s.rateFrom);
  if (known) return known.rps;
  const probe = await closedRun(t, o, s.rateFrom ? scenarioByName(s.rateFrom) : s, Math.min(2, o.durationS));
  o.log(`  ${s.name}: probed ${probe.rps} rps closed-loop for the offered rate`);
  return probe.rps;
}

async function openLoopScenario(
  t: Targets,
  o: BenchOptions,
  s: Scenario,
  done: Map<string, ScenarioResult>,
): Promise<ScenarioResult> {
  const rate = Math.max(1, Math.round((await referenceRps(t, o, s, done)) * o.openLoopFraction));
  o.log(`${s.name}: ${rate} req/s offered, ${o.rounds} paired rounds`);
  const pairs = await runPairs(o, s, (x) => openRun(t, o, x, rate, o.openLoopDurationS));
  const p99Ratios = pairs.map((p) => safeRatio(p.scenario.p99_ms, p.baseline.p99_ms));
  return {
    ...pairedResult(s, pairs),
    offered_rps: rate,
    p99_ratio_to_baseline: round(median(p99Ratios)),
    send_lag_p99_ms: round(median(pairs.map((p) => p.scenario.sendLagP99Ms ?? 0))),
  };
}

async function kneeScenario(
  t: Targets,
  o: BenchOptions,
  s: Scenario,
  done: Map<string, ScenarioResult>,
  baselineRps: number,
): Promise<ScenarioResult> {
  const startRate = Math.max(1, Math.round((await referenceRps(t, o, s, done)) * 0.25));
  const knee = { startRate, maxSteps: o.kneeMaxSteps, targetP99Ms: o.kneeTargetP99Ms, log: o.log };
  const search = await searchKnee(knee, (rate) => openRun(t, o, s, rate, o.kneeStepS));
  return kneeResult(s, search, o.kneeTargetP99Ms, baselineRps);
}

async function warmUp(t: Targets, o: BenchOptions, scenarios: readonly Scenario[]): Promise<void> {
  if (o.warmupS <= 0) return;
  // JIT and LMDB page cache warm for every server before its first measured pair. One scenario
  // per target; a scenario whose trace continues across runs (admission) is warmed with the
  // cache-hit workload instead, so its measured runs start at the start of its trace.
  await closedRun(t, o, scenarioByName(BASELINE), o.warmupS);
  const warmed = new Set<string>(['bare']);
  for (const s of scenarios) {
    if (warmed.has(s.target) || s.kind !== 'closed') continue;
    warmed.add(s.target);
    const w = s.name.startsWith('admission-') ? { ...scenarioByName('resolve-cache-hit'), target: s.target } : s;
    await closedRun(t, o, w, o.warmupS);
  }
}

async function runAll(t: Targets, o: BenchOptions, wanted: readonly Scenario[]): Promise<ScenarioResult[]> {
  for (const s of wanted) await s.verify?.(urlOf(t, s), t.ctx);
  await warmUp(t, o, wanted);
  const done = new Map<string, ScenarioResult>();
  const baselineRuns: Measurement[] = [];
  for (const s of wanted.filter((x) => x.kind === 'closed' && x.name !== BASELINE)) {
    o.log(`${s.name}: ${o.rounds} paired rounds of ${o.durationS} s, c=${o.connections}`);
    const pairs = await runPairs(o, s, (x) => closedRun(t, o, x));
    baselineRuns.push(...pairs.map((p) => p.baseline));
    done.set(s.name, pairedResult(s, pairs));
  }
  if (baselineRuns.length === 0) {
    for (let r = 0; r < o.rounds; r++) baselineRuns.push(await closedRun(t, o, scenarioByName(BASELINE)));
  }
  done.set(BASELINE, baselineResult(baselineRuns));
  for (const s of wanted.filter((x) => x.kind === 'open-loop')) done.set(s.name, await openLoopScenario(t, o, s, done));
  const baselineRps = done.get(BASELINE)?.rps ?? 0;
  for (const s of wanted.filter((x) => x.kind === 'knee'))
    done.set(s.name, await kneeScenario(t, o, s, done, baselineRps));
  return o.scenarios.map((name) => done.get(name)).filter((r): r is ScenarioResult => r !== undefined);
}

/** Runs the scenarios, writes latest.json and latest.md to outDir, returns the report. */
export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const machine = machineInfo();
  const startedAt = new Date().toISOString();
  const dataDir = await makeTempDir();
  const wanted = o.scenarios.map(scenarioByName);
  let targets: Targets | undefined;
  let scenarios: ScenarioResult[];
  try {
    targets = await startTargets(o, dataDir, wanted);
    scenarios = await runAll(targets, o, wanted);
  } finally {
    if (targets) await stopTargets({ servers: new Map(targets.servers), redis: targets.redis });
    await removeDir(dataDir);
  }
  const settings = {
    mode: o.mode,
    rounds: o.rounds,
    duration_s: o.durationS,
    connections: o.connections,
    keys: o.keyCount,
    seed: o.seed,
  };
  const report: BenchReport = {
    machine,
    startedAt,
    finishedAt: new Date().toISOString(),
    settings,
    loadAvgAtEnd: machineInfo().loadAvg,
    scenarios,
  };
  await mkdir(o.outDir, { recursive: true });
  await writeFile(join(o.outDir, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  await writeFile(join(o.outDir, 'latest.md'), renderMarkdown(report));
  return report;
}
