import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cpuSecondsOf, treeCpuSeconds } from './proc-stat.ts';

export interface WrkResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Server CPU (the process and its children) per request, in µs. */
  readonly serverUsPerRequest: number;
  /** Server CPU over the run, in cores (1.0 = one core busy the whole time). */
  readonly serverCores: number;
  /** wrk's own CPU, in cores: near 1.0 means the generator, not the server, was the limit. */
  readonly wrkCores: number;
}

/** A Lua script sending GETs to uniformly random paths of the list (seeded, so runs repeat). */
export async function pathsScript(dir: string, paths: readonly string[]): Promise<string> {
  const file = join(dir, 'paths.lua');
  const list = paths.map((p) => JSON.stringify(p)).join(',\n');
  await writeFile(
    file,
    `math.randomseed(42)\nlocal paths = {\n${list}\n}\nrequest = function()\n  return wrk.format("GET", paths[math.random(#paths)])\nend\n`,
  );
  return file;
}

function latencyMs(text: string, pct: string): number {
  const m = new RegExp(`^\\s+${pct}%\\s+([0-9.]+)(us|ms|s)`, 'm').exec(text);
  if (!m) return NaN;
  const scale = m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1;
  return Number(m[1]) * scale;
}

/** wrk -t1 -c<connections> -d<seconds> with the script, server CPU read before and after. */
export async function runWrk(o: {
  readonly url: string;
  readonly script: string;
  readonly connections: number;
  readonly seconds: number;
  readonly serverPid: number;
  readonly threads?: number;
  /** Further server processes that are not children of serverPid (independent SO_REUSEPORT listeners). */
  readonly extraPids?: readonly number[];
}): Promise<WrkResult> {
  const args = [
    '-t',
    String(o.threads ?? 1),
    '-c',
    String(o.connections),
    '-d',
    `${o.seconds}s`,
    '--latency',
    '-s',
    o.script,
    o.url,
  ];
  const serverCpu = async (): Promise<number> =>
    (await Promise.all([o.serverPid, ...(o.extraPids ?? [])].map(treeCpuSeconds))).reduce((a, b) => a + b, 0);
  const cpu0 = await serverCpu();
  const t0 = performance.now();
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  let wrkCpu = 0;
  // Sampled while it runs: once it has exited /proc no longer has it.
  const sampler = setInterval(
    () => void cpuSecondsOf(child.pid ?? -1).then((s) => (wrkCpu = Math.max(wrkCpu, s))),
    200,
  );
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearInterval(sampler);
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = await serverCpu();
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${out}`);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  return {
    requests,
    rps: Math.round(Number(/Requests\/sec:\s+([0-9.]+)/.exec(out)?.[1] ?? NaN)),
    p50Ms: latencyMs(out, '50'),
    p99Ms: latencyMs(out, '99'),
    serverUsPerRequest: ((cpu1 - cpu0) * 1e6) / requests,
    serverCores: (cpu1 - cpu0) / wall,
    wrkCores: wrkCpu / o.seconds,
  };
}
