import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { takeSnapshot } from '../../src/observability/metric-snapshot.ts';
import { counterIncrease, histogramIncrease, quantile } from '../../src/observability/metric-window.ts';
import { StatsSampler } from '../../src/observability/stats-sampler.ts';

/** The stats API's arithmetic over a real prom-client registry: increases, resets, quantiles as Prometheus computes them. */

function registry() {
  const r = new Registry();
  const h = new Histogram({
    name: 't_seconds',
    help: 't',
    labelNames: ['src'],
    buckets: [0.001, 0.01, 0.1],
    registers: [r],
  });
  const c = new Counter({ name: 'e_total', help: 'e', labelNames: ['code'], registers: [r] });
  return { r, h, c };
}

describe('metric window', () => {
  it('counts only what happened between two readings, per label', async () => {
    const { r, h, c } = registry();
    h.labels('cache').observe(0.0005);
    c.labels('A').inc(5);
    const before = await takeSnapshot(r, 1000);
    for (let i = 0; i < 9; i++) h.labels('cache').observe(0.0005);
    h.labels('store').observe(0.05);
    c.labels('A').inc(2);
    c.labels('B').inc(1);
    const now = await takeSnapshot(r, 2000);
    expect(Object.fromEntries(counterIncrease(now, before, 'e_total', 'code'))).toEqual({ A: 2, B: 1 });
    const bySrc = histogramIncrease(now, before, 't_seconds', 'src');
    expect(bySrc.get('cache')?.count).toBe(9);
    expect(bySrc.get('store')?.count).toBe(1);
    expect(histogramIncrease(now, before, 't_seconds').get('')?.count).toBe(10);
  });

  it('interpolates quantiles inside buckets, and the +Inf bucket is its lower bound', async () => {
    const { r, h } = registry();
    // 10 in (0, 1 ms], 10 in (1 ms, 10 ms]: the median is the top of the first bucket.
    for (let i = 0; i < 10; i++) h.labels('x').observe(0.0005);
    for (let i = 0; i < 10; i++) h.labels('x').observe(0.005);
    const d = histogramIncrease(await takeSnapshot(r), undefined, 't_seconds').get('')!;
    expect(quantile(0.5, d)).toBeCloseTo(0.001, 9);
    expect(quantile(0.75, d)).toBeCloseTo(0.001 + 0.009 * 0.5, 9);
    h.labels('x').observe(5);
    const withSlow = histogramIncrease(await takeSnapshot(r), undefined, 't_seconds').get('')!;
    expect(quantile(0.999, withSlow)).toBe(0.1);
    expect(quantile(0.5, { bounds: [1, Infinity], cumulative: [0, 0], count: 0, sum: 0 })).toBeUndefined();
  });

  it('a counter that went down (a restart, a reset) counts from zero', async () => {
    const { r, c } = registry();
    c.labels('A').inc(10);
    const before = await takeSnapshot(r);
    c.reset();
    c.labels('A').inc(3);
    expect(counterIncrease(await takeSnapshot(r), before, 'e_total', 'code').get('A')).toBe(3);
  });

  it('the sampler compares with the newest reading at least the window old', async () => {
    const { r, c } = registry();
    let t = 0;
    const sampler = new StatsSampler(r, { now: () => t });
    t = 1000;
    const first = await sampler.window(5);
    expect(first.before).toBeUndefined();
    c.labels('A').inc(1);
    t = 4000;
    await sampler.window(5);
    c.labels('A').inc(1);
    t = 9000;
    const w = await sampler.window(5);
    // The reading at 4000 is exactly 5 s old: the window starts there, so only the last increment counts.
    expect(w.before?.at).toBe(4000);
    expect(w.seconds).toBe(5);
    expect(counterIncrease(w.now, w.before, 'e_total', 'code').get('A')).toBe(1);
  });
});

describe('the sampler under a flood of asks', () => {
  it('reads the registry at most once a second however often it is asked, and still spans the window', async () => {
    const { r, c } = registry();
    let t = 0;
    let reads = 0;
    r.registerMetric(new Gauge({ name: 'reads', help: 'readings taken', registers: [], collect: () => void reads++ }));
    const sampler = new StatsSampler(r, { now: () => t });
    // 20 asks a second for 20 minutes (the long fuzz asked ~3/s).
    for (t = 0; t < 20 * 60_000; t += 50) await sampler.window(300);
    expect(reads).toBe(20 * 60);
    c.labels('A').inc(2);
    t += 1_000;
    const w = await sampler.window(300);
    // The window still spans the 300 s asked for (a kept reading at most 2 s off), and counts the increment.
    expect(w.seconds).toBeGreaterThanOrEqual(300);
    expect(w.seconds).toBeLessThanOrEqual(302);
    expect(counterIncrease(w.now, w.before, 'e_total', 'code').get('A')).toBe(2);
  });
});
