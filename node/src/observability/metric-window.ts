import type { HistogramSample, Labels, MetricSnapshot, Sample } from './metric-snapshot.ts';

/**
 * What happened between two readings of the registry, as Prometheus' rate() and
 * histogram_quantile() would say it: counter increases (a reset counts from zero) and
 * bucket-count increases, folded by one label.
 */

/** A histogram's increase over the window, all series of one group summed. */
export interface HistogramDelta {
  readonly bounds: readonly number[];
  readonly cumulative: number[];
  count: number;
  sum: number;
}

const increase = (now: number, before: number | undefined): number =>
  before === undefined || now < before ? now : now - before;

const keyOf = (labels: Labels): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');

function byKey<T extends { readonly labels: Labels }>(list: readonly T[] | undefined): Map<string, T> {
  return new Map((list ?? []).map((s) => [keyOf(s.labels), s]));
}

/** The group a series belongs to: the value of `label`, or '' for the total. */
const groupOf = (labels: Labels, label: string | undefined): string =>
  label === undefined ? '' : (labels[label] ?? '');

/** Counter increases by the value of `label` (or one total under ''). */
export function counterIncrease(
  now: MetricSnapshot,
  before: MetricSnapshot | undefined,
  name: string,
  label?: string,
): Map<string, number> {
  const old = byKey<Sample>(before?.values.get(name));
  const out = new Map<string, number>();
  for (const s of now.values.get(name) ?? []) {
    const g = groupOf(s.labels, label);
    out.set(g, (out.get(g) ?? 0) + increase(s.value, old.get(keyOf(s.labels))?.value));
  }
  return out;
}

/** Current gauge values by the value of `label` (or one total under ''). */
export function gaugeValues(now: MetricSnapshot, name: string, label?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of now.values.get(name) ?? []) {
    const g = groupOf(s.labels, label);
    out.set(g, (out.get(g) ?? 0) + s.value);
  }
  return out;
}

/** Histogram increases by the value of `label` (or one total under ''). */
export function histogramIncrease(
  now: MetricSnapshot,
  before: MetricSnapshot | undefined,
  name: string,
  label?: string,
): Map<string, HistogramDelta> {
  const old = byKey<HistogramSample>(before?.histograms.get(name));
  const out = new Map<string, HistogramDelta>();
  for (const s of now.histograms.get(name) ?? []) {
    const prev = old.get(keyOf(s.labels));
    const reset = prev === undefined || s.count < prev.count;
    const g = groupOf(s.labels, label);
    let d = out.get(g);
    if (d === undefined) out.set(g, (d = { bounds: s.bounds, cumulative: s.bounds.map(() => 0), count: 0, sum: 0 }));
    for (let i = 0; i < s.cumulative.length; i++) {
      d.cumulative[i] = (d.cumulative[i] ?? 0) + (s.cumulative[i] ?? 0) - (reset ? 0 : (prev.cumulative[i] ?? 0));
    }
    d.count += s.count - (reset ? 0 : prev.count);
    d.sum += s.sum - (reset ? 0 : prev.sum);
  }
  return out;
}

/**
 * The q-quantile of a histogram delta, interpolated linearly inside its bucket (Prometheus'
 * histogram_quantile); a quantile in the +Inf bucket is the highest finite bound. undefined when empty.
 */
export function quantile(q: number, h: HistogramDelta): number | undefined {
  const total = h.cumulative[h.cumulative.length - 1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  for (let i = 0; i < h.bounds.length; i++) {
    const upTo = h.cumulative[i] ?? 0;
    if (upTo < rank) continue;
    const upper = h.bounds[i] ?? Infinity;
    const lower = i === 0 ? 0 : (h.bounds[i - 1] ?? 0);
    if (upper === Infinity) return lower;
    const below = i === 0 ? 0 : (h.cumulative[i - 1] ?? 0);
    const inBucket = upTo - below;
    return inBucket <= 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
  }
  return h.bounds[h.bounds.length - 2];
}
