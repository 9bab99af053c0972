import { median, round } from '../lib/stats.ts';
import type { ProcessSample } from './sampler.ts';
import type { WindowResult } from './window.ts';

/**
 * The soak's criteria, judged on the samples after warm-up: medians of the first and the last
 * `spanS` seconds (medians, because heap is a GC sawtooth and a neighbour's burst moves one
 * window's p99), so a leak shows as a shift of the whole level, not as one spike.
 */

export interface Criterion {
  readonly name: string;
  readonly first: number;
  readonly last: number;
  readonly limit: string;
  readonly pass: boolean;
}

export interface Spans {
  readonly warmupS: number;
  readonly spanS: number;
  readonly endS: number;
}

interface Timed {
  readonly t_s: number;
}

function ends<T extends Timed>(xs: readonly T[], s: Spans, f: (x: T) => number): [number, number] {
  const a = xs.filter((x) => x.t_s > s.warmupS && x.t_s <= s.warmupS + s.spanS).map(f);
  const b = xs.filter((x) => x.t_s > s.endS - s.spanS).map(f);
  return [round(median(a), 2), round(median(b), 2)];
}

const growth = (name: string, [first, last]: [number, number], maxRatio: number): Criterion => ({
  name,
  first,
  last,
  limit: `< ${round((maxRatio - 1) * 100, 1)} % growth`,
  pass: Number.isFinite(first) && Number.isFinite(last) && last <= first * maxRatio,
});

/** Counts (fds, timers) may wobble by a connection or two; growth beyond `slack` is a leak. */
const noGrowth = (name: string, [first, last]: [number, number], slack: number): Criterion => ({
  name,
  first,
  last,
  limit: `<= first + ${slack}`,
  pass: Number.isFinite(first) && Number.isFinite(last) && last <= first + slack,
});

export function processCriteria(name: string, xs: readonly ProcessSample[], s: Spans): Criterion[] {
  return [
    growth(
      `${name} RSS MiB`,
      ends(xs, s, (x) => x.rss_mib),
      1.05,
    ),
    growth(
      `${name} heap used MiB`,
      ends(xs, s, (x) => x.heap_used_mib),
      1.05,
    ),
    noGrowth(
      `${name} open fds`,
      ends(xs, s, (x) => x.fds),
      8,
    ),
    noGrowth(
      `${name} active timers`,
      ends(xs, s, (x) => x.timers),
      8,
    ),
    noGrowth(
      `${name} active handles`,
      ends(xs, s, (x) => x.handles),
      8,
    ),
  ];
}

export type TimedWindow = WindowResult & Timed;

/** p99 flat: the last span's median window p99 within 1.5x of the first span's (floor 2 ms of noise). */
export function latencyCriteria(ws: readonly TimedWindow[], s: Spans): Criterion[] {
  const flat = (name: string, f: (w: TimedWindow) => number): Criterion => {
    const [first, last] = ends(ws, s, f);
    return { name, first, last, limit: '<= 1.5x first (+2 ms)', pass: last <= first * 1.5 + 2 };
  };
  const fives = ws.reduce((n, w) => n + w.status5xx, 0);
  return [
    flat('p99 ms at the caching node', (w) => w.p99_caching_ms),
    flat('p99 ms at the secondary', (w) => w.p99_secondary_ms),
    { name: '5xx responses', first: 0, last: fives, limit: '0', pass: fives === 0 },
  ];
}

/** The samples after warm-up: where every bound must hold. */
const measured = <T extends Timed>(xs: readonly T[], s: Spans): T[] => xs.filter((x) => x.t_s > s.warmupS);

/**
 * Steady state, the precondition of the growth criteria: the cache at its byte cap in both spans
 * (at least `fullShare` of it) and never above it; the store's recent change-log tail at its
 * capacity in every sample after warm-up where the node writes (`writes`), never above it elsewhere.
 */
export function boundCriteria(
  name: string,
  xs: readonly ProcessSample[],
  s: Spans,
  caps: { readonly cacheMiB: number; readonly fullShare: number; readonly recentLog: number; readonly writes: boolean },
): Criterion[] {
  const [first, last] = ends(xs, s, (x) => x.cache_mib);
  const after = measured(xs, s);
  const cacheMax = Math.max(...after.map((x) => x.cache_mib));
  const logs = after.map((x) => x.recent_log_entries);
  const full = caps.cacheMiB * caps.fullShare;
  // Never consulted (the secondary reads its homed prefix from its store): empty is its steady state.
  const unused = after.length > 0 && after.every((x) => x.cache_lookups === 0 && x.cache_mib === 0);
  return [
    unused
      ? { name: `${name} cache MiB (never consulted: 0 lookups)`, first, last, limit: '0 throughout', pass: true }
      : {
          name: `${name} cache MiB (steady state: at its cap, max ${round(cacheMax, 2)})`,
          first,
          last,
          limit: `>= ${round(full, 2)}, every sample <= ${caps.cacheMiB}`,
          pass: first >= full && last >= full && cacheMax <= caps.cacheMiB,
        },
    {
      name: `${name} recent change-log entries (steady state, min ${Math.min(...logs)} max ${Math.max(...logs)})`,
      first: logs[0] ?? NaN,
      last: logs.at(-1) ?? NaN,
      limit: `every sample ${caps.writes ? '=' : '<='} ${caps.recentLog}`,
      pass: logs.length > 0 && logs.every((n) => (caps.writes ? n === caps.recentLog : n <= caps.recentLog)),
    },
  ];
}

/** What RSS is made of, reported beside the RSS criterion (not judged): which part moved. */
export function rssSplit(name: string, xs: readonly ProcessSample[], s: Spans): Criterion[] {
  const row = (what: string, f: (x: ProcessSample) => number): Criterion => {
    const [first, last] = ends(xs, s, f);
    return { name: `${name} ${what}`, first, last, limit: 'information', pass: true };
  };
  return [
    row('RSS anonymous MiB', (x) => x.rss_anon_mib),
    row('RSS file-backed MiB', (x) => x.rss_file_mib),
    row('V8 heap committed MiB', (x) => x.heap_total_mib),
  ];
}
