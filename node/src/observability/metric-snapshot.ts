import type { Registry } from 'prom-client';

/**
 * One reading of the node's prom-client registry, the very one /metrics renders: the stats API
 * (and so the console) is built from these readings, never from counters of its own.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/** One labelled histogram series: cumulative bucket counts by upper bound (the last is +Inf). */
export interface HistogramSample {
  readonly labels: Labels;
  readonly bounds: readonly number[];
  readonly cumulative: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export interface MetricSnapshot {
  /** ms since the epoch. */
  readonly at: number;
  /** Counters and gauges by metric name. */
  readonly values: ReadonlyMap<string, readonly Sample[]>;
  readonly histograms: ReadonlyMap<string, readonly HistogramSample[]>;
}

interface RawValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
}

const labelsOf = (raw: RawValue['labels'], drop?: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (k !== drop) out[k] = String(v);
  return out;
};

const seriesKey = (labels: Labels): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');

interface Building {
  labels: Labels;
  buckets: [number, number][];
  sum: number;
  count: number;
}

function foldHistogram(name: string, values: readonly RawValue[]): HistogramSample[] {
  const series = new Map<string, Building>();
  const entry = (labels: Labels): Building => {
    const key = seriesKey(labels);
    let b = series.get(key);
    if (b === undefined) series.set(key, (b = { labels, buckets: [], sum: 0, count: 0 }));
    return b;
  };
  for (const v of values) {
    const which = v.metricName?.slice(name.length);
    if (which === '_bucket') {
      const le = v.labels.le;
      entry(labelsOf(v.labels, 'le')).buckets.push([le === '+Inf' ? Infinity : Number(le), v.value]);
    } else if (which === '_sum') entry(labelsOf(v.labels)).sum = v.value;
    else if (which === '_count') entry(labelsOf(v.labels)).count = v.value;
  }
  return [...series.values()].map((b) => {
    b.buckets.sort((x, y) => x[0] - y[0]);
    return {
      labels: b.labels,
      bounds: b.buckets.map(([le]) => le),
      cumulative: b.buckets.map(([, n]) => n),
      sum: b.sum,
      count: b.count,
    };
  });
}

/** Reads every metric (running their collect functions, as a scrape does). */
export async function takeSnapshot(registry: Registry, at = Date.now()): Promise<MetricSnapshot> {
  const metrics = await registry.getMetricsAsJSON();
  const values = new Map<string, Sample[]>();
  const histograms = new Map<string, HistogramSample[]>();
  for (const m of metrics) {
    const raw = m.values as readonly RawValue[];
    // The runtime type is the string Prometheus writes ('histogram'), whatever the typings say.
    if (String(m.type) === 'histogram') histograms.set(m.name, foldHistogram(m.name, raw));
    else if (String(m.type) !== 'summary') {
      values.set(
        m.name,
        raw.map((v) => ({ labels: labelsOf(v.labels), value: v.value })),
      );
    }
  }
  return { at, values, histograms };
}
