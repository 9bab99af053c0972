import { readFile, rm } from 'node:fs/promises';
import { measured } from './wrk.ts';

/**
 * Paced (open-loop) load with h2load over HTTP/1.1: `--rps` per client, so the offered rate holds
 * whatever the latency; the latency percentiles come from its per-request log (microseconds until
 * the end of each response), since h2load prints only mean and deviation.
 */

export interface PacedRun {
  /** File of absolute URIs, one per line, used round robin (shuffled by the caller). */
  readonly uriFile: string;
  readonly logFile: string;
  readonly serverPid: number;
  readonly rps: number;
  readonly clients: number;
  readonly durationS: number;
}

export interface PacedResult {
  readonly offeredRps: number;
  readonly rps: number;
  readonly requests: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly serverCpuUsPerReq: number;
  readonly generatorCores: number;
}

function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runPaced(o: PacedRun): Promise<PacedResult> {
  const perClient = Math.max(1, Math.round(o.rps / o.clients));
  const args = ['--h1', '-c', String(o.clients), '-t', '1', '--rps', String(perClient), '-D', String(o.durationS)];
  args.push('--log-file', o.logFile, '-i', o.uriFile);
  const m = await measured(o.serverPid, 'h2load', args);
  const lines = (await readFile(o.logFile, 'utf8')).split('\n');
  await rm(o.logFile, { force: true });
  const lat = lines.flatMap((l) => {
    const f = l.split('\t');
    return f.length >= 3 ? [Number(f[2])] : [];
  });
  lat.sort((a, b) => a - b);
  return {
    offeredRps: perClient * o.clients,
    rps: lat.length / o.durationS,
    requests: lat.length,
    p50Us: pct(lat, 50),
    p99Us: pct(lat, 99),
    p999Us: pct(lat, 99.9),
    serverCpuUsPerReq: lat.length > 0 ? m.serverUs / lat.length : 0,
    generatorCores: m.generatorUs / 1e6 / m.wallS,
  };
}
