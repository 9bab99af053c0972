import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { processCpuUs, reapedChildrenCpuUs } from './proc-cpu.ts';

/** One closed-loop run of wrk (fixed connections, as fast as the server answers). */

const LUA = join(import.meta.dirname, 'keys.lua');

export interface KeySource {
  /** 'file': random lines of `arg` (one path per line); 'unknown': fresh suffixes after the path prefix `arg`. */
  readonly mode: 'file' | 'unknown';
  readonly arg: string;
}

export interface LoadResult {
  readonly requests: number;
  readonly durationS: number;
  readonly rps: number;
  /** Socket errors (connect/read/write/timeout). */
  readonly socketErrors: number;
  /** Answers outside 2xx/3xx (expected for the 404 scenarios). */
  readonly non2xx3xx: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  /** Server CPU (all threads, /proc/<pid>/stat) per request served, µs. */
  readonly serverCpuUsPerReq: number;
  /** Server CPU over the run as a share of one core (1 = one core busy all the time). */
  readonly serverCores: number;
  /** The generator's CPU as a share of one core over the run. */
  readonly generatorCores: number;
}

interface WrkJson {
  requests: number;
  duration_us: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  status: number;
  p50: number;
  p99: number;
  p999: number;
}

export interface WrkRun {
  readonly url: string;
  readonly serverPid: number;
  readonly connections: number;
  readonly durationS: number;
  readonly keys: KeySource;
  readonly seed: number;
}

function run(bin: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => void (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${bin} exited ${code}: ${err}`))));
  });
}

/** Runs a generator, measuring the server's and the generator's CPU around it. */
export async function measured(
  serverPid: number,
  bin: string,
  args: readonly string[],
): Promise<{ out: string; serverUs: number; generatorUs: number; wallS: number }> {
  const s0 = processCpuUs(serverPid);
  const g0 = reapedChildrenCpuUs();
  const t0 = performance.now();
  const out = await run(bin, args);
  const wallS = (performance.now() - t0) / 1000;
  return { out, serverUs: processCpuUs(serverPid) - s0, generatorUs: reapedChildrenCpuUs() - g0, wallS };
}

export async function runWrk(o: WrkRun): Promise<LoadResult> {
  const args = ['-t1', `-c${o.connections}`, `-d${o.durationS}s`, '--timeout', '5s', '-s', LUA, o.url];
  args.push('--', o.keys.mode, o.keys.arg, String(o.seed));
  const m = await measured(o.serverPid, 'wrk', args);
  const line = m.out.split('\n').find((l) => l.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk printed no summary:\n${m.out}`);
  const j = JSON.parse(line) as WrkJson;
  const durationS = j.duration_us / 1e6;
  return {
    requests: j.requests,
    durationS,
    rps: j.requests / durationS,
    socketErrors: j.connect + j.read + j.write + j.timeout,
    non2xx3xx: j.status,
    p50Us: j.p50,
    p99Us: j.p99,
    p999Us: j.p999,
    serverCpuUsPerReq: j.requests > 0 ? m.serverUs / j.requests : 0,
    serverCores: m.serverUs / 1e6 / m.wallS,
    generatorCores: m.generatorUs / 1e6 / m.wallS,
  };
}
