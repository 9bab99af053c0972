import { readFile } from 'node:fs/promises';
import { cpuSecondsOf, statusMiB } from '../workers/proc-stat.ts';

/** The fuzzed process over time, from /proc: RSS (all, and anonymous: heap and native, not LMDB's mapped pages), CPU. */

export interface FuzzSample {
  readonly t_s: number;
  readonly requests: number;
  readonly rss_mib: number;
  readonly rss_anon_mib: number;
  readonly cpu_s: number;
}

/** False once the process is gone or a zombie: a crash. */
export async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

export async function sample(pid: number, t0: number, requests: number): Promise<FuzzSample> {
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  return {
    t_s: Math.round((performance.now() - t0) / 100) / 10,
    requests,
    rss_mib: r2(await statusMiB(pid, 'VmRSS').catch(() => NaN)),
    rss_anon_mib: r2(await statusMiB(pid, 'RssAnon').catch(() => NaN)),
    cpu_s: await cpuSecondsOf(pid),
  };
}

/**
 * Bounded: anonymous RSS at the end within 25 % (+ 32 MiB of allocator slack) of its level once
 * 10 % of the requests were done (warm-up: JIT, caches and pools filled).
 */
export function memoryBounded(xs: readonly FuzzSample[], total: number): { warm: number; end: number; pass: boolean } {
  const warm = xs.find((x) => x.requests >= total / 10)?.rss_anon_mib ?? NaN;
  const end = xs.at(-1)?.rss_anon_mib ?? NaN;
  return { warm, end, pass: end <= warm * 1.25 + 32 };
}
