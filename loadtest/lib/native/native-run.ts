import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { machineInfo, type MachineInfo } from '../machine.ts';
import { makeTempDir, removeDir, type ServerProcess } from '../processes.ts';
import { median, round } from '../stats.ts';
import { seededPermutation } from '../zipf.ts';
import { runPaced, type PacedResult } from './h2load.ts';
import { renderNative } from './native-report.ts';
import { LATENCY_SCENARIOS, nativeScenario, type NativeScenario } from './scenarios.ts';
import { startTargets, type Targets } from './targets.ts';
import { requireGenerators } from './tools.ts';
import { runWrk, type KeySource, type LoadResult } from './wrk.ts';

export interface NativeOptions {
  readonly mode: 'quick' | 'full';
  readonly scenarios: readonly string[];
  readonly rounds: number;
  readonly durationS: number;
  readonly connections: number;
  readonly keyCount: number;
  readonly unloadedS: number;
  readonly pacedS: number;
  readonly pacedClients: number;
  readonly seed: number;
  readonly outDir: string;
  readonly log: (line: string) => void;
}

export interface Side {
  readonly rps: number;
  readonly p50_us: number;
  readonly p99_us: number;
  readonly p999_us: number;
  readonly cpu_us_per_req: number;
  readonly server_cores: number;
  readonly generator_cores: number;
  readonly unexpected: number;
}

export interface ClosedResult {
  readonly name: string;
  readonly description: string;
  readonly node: Side;
  readonly baseline: Side;
  /** Medians of the per-round ratios node / baseline. */
  readonly cpu_ratio: number;
  readonly rps_ratio: number;
  readonly cpu_target?: number;
  readonly rounds: readonly { node: Side; baseline: Side; cpu_ratio: number; rps_ratio: number }[];
  /** Why the figures may show the generator rather than the server. */
  readonly generator_limited: string | undefined;
}

export interface LatencyResult {
  readonly name: string;
  readonly unloaded_p50_us: { node: number; baseline: number; ratio: number };
  readonly paced: { offered_rps: number; node: PacedSummary; baseline: PacedSummary; p99_ratio: number };
}

type PacedSummary = Pick<PacedResult, 'rps' | 'p50Us' | 'p99Us' | 'p999Us' | 'generatorCores'>;

export interface NativeReport {
  readonly machine: MachineInfo;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly loadAvgAtEnd: readonly number[];
  readonly settings: Omit<NativeOptions, 'log' | 'outDir' | 'scenarios'>;
  readonly closed: readonly ClosedResult[];
  readonly latency: readonly LatencyResult[];
  /** unknown-flood's node req/s over api-hit's node req/s (issue target >= 0.8). */
  readonly flood_to_hit_rps: number | undefined;
  /** api-hit-signed's CPU ratio over api-hit's (each against the bare mirror it alternated with; target <= 1.05). */
  readonly signed_to_unsigned_cpu: number | undefined;
}

function side(r: LoadResult, expectStatus: number): Side {
  const bad = expectStatus >= 400 ? r.requests - r.non2xx3xx : r.non2xx3xx;
  return {
    rps: Math.round(r.rps),
    p50_us: r.p50Us,
    p99_us: r.p99Us,
    p999_us: r.p999Us,
    cpu_us_per_req: round(r.serverCpuUsPerReq, 2),
    server_cores: round(r.serverCores, 2),
    generator_cores: round(r.generatorCores, 2),
    unexpected: bad + r.socketErrors,
  };
}

function medianSide(sides: readonly Side[]): Side {
  const m = (f: (s: Side) => number): number => round(median(sides.map(f)), 2);
  return {
    rps: Math.round(median(sides.map((s) => s.rps))),
    p50_us: m((s) => s.p50_us),
    p99_us: m((s) => s.p99_us),
    p999_us: m((s) => s.p999_us),
    cpu_us_per_req: m((s) => s.cpu_us_per_req),
    server_cores: m((s) => s.server_cores),
    generator_cores: m((s) => s.generator_cores),
    unexpected: sides.reduce((a, s) => a + s.unexpected, 0),
  };
}

function limitNote(s: Side, who: string): string | undefined {
  if (s.generator_cores >= 0.9) return `${who}: wrk used ${s.generator_cores} of a core (generator-bound)`;
  if (s.server_cores < 0.75) return `${who}: server used only ${s.server_cores} of a core (not saturated)`;
  return undefined;
}

function keySource(t: Targets, s: NativeScenario): KeySource {
  return s.keys === 'unknown' ? { mode: 'unknown', arg: t.unknownPrefix } : { mode: 'file', arg: t.pathFile(s.keys) };
}

function nodeOf(t: Targets, s: NativeScenario): ServerProcess {
  const n = t.nodes.get(s.target);
  if (!n) throw new Error(`${s.name}: ${s.target} not started`);
  return n;
}

/** Baseline, node, baseline, node, ...: each pair sees the same neighbours on a shared machine. */
async function closedScenario(t: Targets, o: NativeOptions, s: NativeScenario, round0: number): Promise<ClosedResult> {
  const node = nodeOf(t, s);
  const keys = keySource(t, s);
  const wrk = (srv: ServerProcess, seed: number): Promise<LoadResult> =>
    runWrk({ url: srv.url, serverPid: srv.pid, connections: o.connections, durationS: o.durationS, keys, seed });
  const rounds: ClosedResult['rounds'][number][] = [];
  for (let r = 0; r < o.rounds; r++) {
    const seed = o.seed + round0 + r;
    const baseline = side(await wrk(t.bare, seed), s.expectStatus);
    const n = side(await wrk(node, seed), s.expectStatus);
    const cpu = n.cpu_us_per_req / baseline.cpu_us_per_req;
    rounds.push({ node: n, baseline, cpu_ratio: round(cpu), rps_ratio: round(n.rps / baseline.rps) });
    o.log(
      `  ${s.name} round ${r + 1}: ${n.rps} req/s ${n.cpu_us_per_req} µs/req` +
        ` (baseline ${baseline.rps} req/s ${baseline.cpu_us_per_req} µs/req) cpu ratio ${round(cpu)}`,
    );
  }
  const nodeSide = medianSide(rounds.map((x) => x.node));
  const baseSide = medianSide(rounds.map((x) => x.baseline));
  const notes = [limitNote(nodeSide, 'node'), limitNote(baseSide, 'baseline')].filter((x) => x !== undefined);
  return {
    name: s.name,
    description: s.description,
    node: nodeSide,
    baseline: baseSide,
    cpu_ratio: round(median(rounds.map((x) => x.cpu_ratio))),
    rps_ratio: round(median(rounds.map((x) => x.rps_ratio))),
    ...(s.cpuTarget !== undefined ? { cpu_target: s.cpuTarget } : {}),
    rounds,
    generator_limited: notes.length > 0 ? notes.join('; ') : undefined,
  };
}

/** Absolute URIs of a path file, shuffled (h2load takes them round robin). */
async function uriFile(t: Targets, srv: ServerProcess, s: NativeScenario, dir: string, seed: number): Promise<string> {
  if (s.keys === 'unknown') throw new Error('paced runs use registered keys');
  const paths = (await readFile(t.pathFile(s.keys), 'utf8')).split('\n').filter((l) => l.length > 0);
  const order = seededPermutation(paths.length, seed);
  const file = join(dir, `${s.name}-${srv.name}.uris`);
  await writeFile(file, Array.from(order, (i) => srv.url + paths[i]!).join('\n') + '\n');
  return file;
}

async function latencyScenario(
  t: Targets,
  o: NativeOptions,
  s: NativeScenario,
  baselineRps: number,
  dir: string,
): Promise<LatencyResult> {
  const node = nodeOf(t, s);
  const keys = keySource(t, s);
  const un = { node: [] as number[], baseline: [] as number[], ratio: [] as number[] };
  for (let r = 0; r < o.rounds; r++) {
    const one = async (srv: ServerProcess): Promise<number> =>
      (await runWrk({ url: srv.url, serverPid: srv.pid, connections: 1, durationS: o.unloadedS, keys, seed: r })).p50Us;
    const b = await one(t.bare);
    const n = await one(node);
    un.baseline.push(b);
    un.node.push(n);
    un.ratio.push(n / b);
  }
  const rate = Math.round(baselineRps / 2);
  const files = { bare: await uriFile(t, t.bare, s, dir, o.seed), node: await uriFile(t, node, s, dir, o.seed) };
  const paced = { node: [] as PacedResult[], baseline: [] as PacedResult[], ratio: [] as number[] };
  for (let r = 0; r < o.rounds; r++) {
    const run = (srv: ServerProcess, uris: string): Promise<PacedResult> =>
      runPaced({
        uriFile: uris,
        logFile: join(dir, 'h2load.log'),
        serverPid: srv.pid,
        rps: rate,
        clients: o.pacedClients,
        durationS: o.pacedS,
      });
    const b = await run(t.bare, files.bare);
    const n = await run(node, files.node);
    paced.baseline.push(b);
    paced.node.push(n);
    paced.ratio.push(n.p99Us / b.p99Us);
    o.log(`  ${s.name} paced ${rate} req/s round ${r + 1}: p99 ${n.p99Us} µs (baseline ${b.p99Us} µs)`);
  }
  const sum = (xs: readonly PacedResult[]): PacedSummary => ({
    rps: Math.round(median(xs.map((x) => x.rps))),
    p50Us: median(xs.map((x) => x.p50Us)),
    p99Us: median(xs.map((x) => x.p99Us)),
    p999Us: median(xs.map((x) => x.p999Us)),
    generatorCores: round(median(xs.map((x) => x.generatorCores)), 2),
  });
  return {
    name: s.name,
    unloaded_p50_us: { node: median(un.node), baseline: median(un.baseline), ratio: round(median(un.ratio)) },
    paced: {
      offered_rps: rate,
      node: sum(paced.node),
      baseline: sum(paced.baseline),
      p99_ratio: round(median(paced.ratio)),
    },
  };
}

async function verify(t: Targets, s: NativeScenario): Promise<void> {
  if (s.keys === 'unknown') return;
  const first = (await readFile(t.pathFile(s.keys), 'utf8')).split('\n')[0]!;
  for (const srv of [t.bare, nodeOf(t, s)]) {
    // Asked three times: an admission policy (TinyLFU) may keep an entry only once it is seen again.
    let res = await fetch(srv.url + first, { redirect: 'manual' });
    for (let i = 0; i < 2; i++) {
      await res.arrayBuffer();
      res = await fetch(srv.url + first, { redirect: 'manual' });
    }
    await res.arrayBuffer();
    if (res.status !== s.expectStatus) throw new Error(`${s.name}: ${srv.name} answered ${res.status} for ${first}`);
    const source = res.headers.get('x-idnode-source');
    if (srv !== t.bare && s.target === 'node' && source !== 'cache')
      throw new Error(`${s.name}: the node answered from "${source}", not the cache`);
  }
}

export async function runNativeBench(o: NativeOptions): Promise<NativeReport> {
  requireGenerators();
  const machine = machineInfo();
  const startedAt = new Date().toISOString();
  const wanted = o.scenarios.map(nativeScenario);
  const dir = await makeTempDir();
  let targets: Targets | undefined;
  const closed: ClosedResult[] = [];
  const latency: LatencyResult[] = [];
  try {
    targets = await startTargets(dir, o.keyCount, new Set(wanted.map((s) => s.target)), o.log);
    o.log(
      `load average ${machine.loadAvg.join(' ')}; node pids ${[...targets.nodes.values()].map((n) => n.pid).join(' ')}`,
    );
    for (const s of wanted) await verify(targets, s);
    // Warm-up: JIT of both servers before the first measured pair.
    for (const s of wanted.slice(0, 3))
      await closedScenario(targets, { ...o, rounds: 1, durationS: 1, log: () => {} }, s, 99);
    for (const [i, s] of wanted.entries()) {
      o.log(`${s.name}: ${o.rounds} alternated rounds of ${o.durationS} s, wrk -t1 -c${o.connections}`);
      closed.push(await closedScenario(targets, o, s, i * 100));
    }
    for (const name of LATENCY_SCENARIOS) {
      const c = closed.find((x) => x.name === name);
      if (!c) continue;
      o.log(`${name}: unloaded (wrk -c1) and paced at ${Math.round(c.baseline.rps / 2)} req/s (h2load --rps)`);
      latency.push(await latencyScenario(targets, o, nativeScenario(name), c.baseline.rps, dir));
    }
  } finally {
    await targets?.stop();
    await removeDir(dir);
  }
  const flood = closed.find((c) => c.name === 'unknown-flood');
  const hit = closed.find((c) => c.name === 'api-hit');
  const signed = closed.find((c) => c.name === 'api-hit-signed');
  const { log: _log, outDir: _out, scenarios: _s, ...settings } = o;
  const report: NativeReport = {
    machine,
    startedAt,
    finishedAt: new Date().toISOString(),
    loadAvgAtEnd: machineInfo().loadAvg,
    settings,
    closed,
    latency,
    flood_to_hit_rps: flood && hit ? round(flood.node.rps / hit.node.rps) : undefined,
    signed_to_unsigned_cpu: signed && hit ? round(signed.cpu_ratio / hit.cpu_ratio) : undefined,
  };
  await mkdir(o.outDir, { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, '-');
  for (const base of ['latest', `bench-${stamp}`]) {
    await writeFile(join(o.outDir, `${base}.json`), JSON.stringify(report, null, 2) + '\n');
    await writeFile(join(o.outDir, `${base}.md`), renderNative(report));
  }
  return report;
}
