import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BASELINE, scenarioByName, type Scenario, type ScenarioContext } from '../scenarios/registry.ts';
import { runClosedLoop } from './closed-loop.ts';
import { kneeResult, searchKnee } from './knee.ts';
import { machineInfo } from './machine.ts';
import type { Measurement } from './measurement.ts';
import { runOpenLoop } from './open-loop.ts';
import { freePort, makeTempDir, removeDir, ROOT, spawnServer, type ServerProcess } from './processes.ts';
import { renderMarkdown } from './report-markdown.ts';
import { roundSummaries, summarise, type BenchReport, type Pair, type ScenarioResult } from './results.ts';
import { seedStore } from './seed-store.ts';
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
  readonly bare: ServerProcess;
  readonly node: ServerProcess;
  readonly ctx: ScenarioContext;
}

const PREFIX = '88.100.5';

const basicAuth = (secret: string): string =>
  `Basic ${Buffer.from(`300%3A${PREFIX}/ADMIN:${secret}`).toString('base64')}`;

async function startNode(dataDir: string, secret: string): Promise<ServerProcess> {
  const port = await freePort();
  const env = {
    IDNODE_DATA_DIR: dataDir,
    IDNODE_HTTP_PORT: String(port),
    IDNODE_HOST: '127.0.0.1',
    IDNODE_ADMIN_SECRET: secret,
    IDNODE_LOG_LEVEL: 'warn',
    IDNODE_PREFIXES: PREFIX,
  };
  return spawnServer({ name: 'node', script: join(ROOT, 'node', 'src', 'main.ts'), port, env, readyPath: '/livez' });
}

async function startBare(): Promise<ServerProcess> {
  const port = await freePort();
  const script = join(ROOT, 'loadtest', 'servers', 'bare-route.ts');
  return spawnServer({ name: 'bare', script, port, env: { BARE_PORT: String(port) }, readyPath: '/livez' });
}

/** Seeds the store before the node opens it, then starts both servers (each its own process). */
async function startTargets(o: BenchOptions, dataDir: string): Promise<Targets> {
  const secret = randomBytes(18).toString('base64url');
  const t = performance.now();
  await seedStore(dataDir, o.keyCount);
  o.log(`seeded ${o.keyCount} identifiers in ${Math.round(performance.now() - t)} ms`);
  const bare = await startBare();
  try {
    const node = await startNode(dataDir, secret);
    return { bare, node, ctx: { keyCount: o.keyCount, seed: o.seed, adminAuth: basicAuth(secret) } };
  } catch (e) {
    await bare.stop();
    throw e;
  }
}

const urlOf = (t: Targets, s: Scenario): string => (s.target === 'bare' ? t.bare.url : t.node.url);

function closedRun(t: Targets, o: BenchOptions, s: Scenario, durationS = o.durationS): Promise<Measurement> {
  const next = s.requests(t.ctx);
  return runClosedLoop({ url: urlOf(t, s), connections: o.connections, durationS, next, expectStatus: s.expectStatus });
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
  return {
    name: s.name,
    kind: s.kind,
    target: s.target,
    description: s.description,
    ...summarise(pairs.map((p) => p.scenario)),
    ratio_to_baseline: round(median(rounds.map((r) => r.ratio))),
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
  const firstNode = scenarios.find((s) => s.target === 'node');
  // JIT and LMDB page cache warm for both servers before the first measured pair.
  await closedRun(t, o, scenarioByName(BASELINE), o.warmupS);
  if (firstNode) await closedRun(t, o, firstNode, o.warmupS);
}

async function runAll(t: Targets, o: BenchOptions): Promise<ScenarioResult[]> {
  const wanted = o.scenarios.map(scenarioByName);
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
  let targets: Targets | undefined;
  let scenarios: ScenarioResult[];
  try {
    targets = await startTargets(o, dataDir);
    scenarios = await runAll(targets, o);
  } finally {
    await targets?.node.stop();
    await targets?.bare.stop();
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
