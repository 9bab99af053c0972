import { build, type Histogram } from 'hdr-histogram-js';

/** Latency in microseconds: autocannon's own histogram keeps whole milliseconds, too coarse here. */
export function latencyHistogram(): Histogram {
  // Pure JS (no WebAssembly): nothing to destroy; 1 µs .. 60 s at 3 significant digits.
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

export interface Percentiles {
  readonly p50_ms: number;
  readonly p90_ms: number;
  readonly p99_ms: number;
  readonly p999_ms: number;
}

const ms = (us: number): number => Math.round(us) / 1000;

export function percentiles(h: Histogram): Percentiles {
  return {
    p50_ms: ms(h.getValueAtPercentile(50)),
    p90_ms: ms(h.getValueAtPercentile(90)),
    p99_ms: ms(h.getValueAtPercentile(99)),
    p999_ms: ms(h.getValueAtPercentile(99.9)),
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

export const safeRatio = (a: number, b: number): number => (b > 0 ? round(a / b) : 0);
