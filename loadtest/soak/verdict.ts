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
