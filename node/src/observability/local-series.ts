import type { Registry } from 'prom-client';

/**
 * Counters and a histogram for the per-request paths, with the label work done once per series:
 * prom-client's `labels(...).inc()` / `.observe()` validates and hashes the labels on every call,
 * which a cache hit pays once or twice. Here a series is an object held by its caller, an
 * increment is a field update, and the figures are read (in prom-client's own format, so /metrics
 * and the stats window see no difference) at scrape time.
 */

type Labels = Record<string, string>;

interface MetricValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

interface Options {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly registry: Registry;
}

abstract class LocalMetric<S extends { labels: Labels }> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum';
  private readonly labelNames: readonly string[];
  protected readonly series = new Map<string, S>();

  constructor(o: Options) {
    this.name = o.name;
    this.help = o.help;
    this.labelNames = o.labelNames;
    // A prom-client registry takes any object with name, help and get() (getMetricsAsString/JSON).
    o.registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  protected seriesOf(values: readonly string[], make: (labels: Labels) => S): S {
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (s === undefined) {
      const labels: Labels = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i] ?? ''));
      this.series.set(key, (s = make(labels)));
    }
    return s;
  }

  reset(): void {
    this.series.clear();
  }
}

interface CounterSeries {
  readonly labels: Labels;
  value: number;
}

export class LocalCounter extends LocalMetric<CounterSeries> {
  readonly type = 'counter';

  /** The series of these label values: keep it, and `inc()` costs one addition. */
  labels(...values: string[]): { inc(by?: number): void } {
    const s = this.seriesOf(values, (labels) => ({ labels, value: 0 }));
    return { inc: (by = 1) => void (s.value += by) };
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: MetricValue[] }> {
    const values = [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}

interface HistogramSeries {
  readonly labels: Labels;
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class LocalHistogram extends LocalMetric<HistogramSeries> {
  readonly type = 'histogram';
  private readonly buckets: readonly number[];

  constructor(o: Options & { readonly buckets: readonly number[] }) {
    super(o);
    this.buckets = [...o.buckets].sort((a, b) => a - b);
  }

  labels(...values: string[]): { observe(v: number): void } {
    const n = this.buckets.length;
    const s = this.seriesOf(values, (labels) => ({ labels, counts: new Float64Array(n + 1), sum: 0, count: 0 }));
    const b = this.buckets;
    return {
      observe: (v) => {
        let i = 0;
        while (i < n && v > b[i]!) i++;
        s.counts[i]! += 1;
        s.sum += v;
        s.count += 1;
      },
    };
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ labels: { ...s.labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}
