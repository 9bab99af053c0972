import { describe, expect, it } from 'vitest';
import type { ProcessSample } from '../soak/sampler.ts';
import { boundCriteria, type Spans } from '../soak/verdict.ts';

const spans: Spans = { warmupS: 10, spanS: 20, endS: 60 };
const caps = { cacheMiB: 8, fullShare: 0.95, recentLog: 100, writes: true };

/** One sample every 10 s up to 60 s, the cache and the tail at what `at` says. */
function samples(at: (t: number) => { cache: number; log: number }): ProcessSample[] {
  return [0, 10, 20, 30, 40, 50, 60].map((t) => ({
    t_s: t,
    rss_mib: 100,
    rss_anon_mib: 80,
    rss_file_mib: 20,
    heap_used_mib: 50,
    heap_total_mib: 80,
    fds: 30,
    timers: 1,
    handles: 5,
    cpu_s: t,
    cache_entries: 1000,
    cache_mib: at(t).cache,
    cache_lookups: at(t).cache === 0 ? 0 : 100 * t,
    recent_log_entries: at(t).log,
  }));
}

// Growth is judged only at steady state: these criteria say whether the soak reached it.
describe('the soak judges bounded structures at their caps', () => {
  it('passes when the cache and the change-log tail are at their caps after warm-up', () => {
    const c = boundCriteria(
      'secondary',
      samples(() => ({ cache: 7.9, log: 100 })),
      spans,
      caps,
    );
    expect(c.map((x) => x.pass)).toEqual([true, true]);
  });
  it('fails while the cache is still filling, even below its cap', () => {
    const c = boundCriteria(
      'secondary',
      samples((t) => ({ cache: t / 10, log: 100 })),
      spans,
      caps,
    );
    expect(c[0]?.pass).toBe(false);
  });
  it('passes a cache never consulted (0 lookups, 0 bytes): nothing there to fill', () => {
    const c = boundCriteria(
      'secondary',
      samples(() => ({ cache: 0, log: 100 })),
      spans,
      caps,
    );
    expect(c.map((x) => x.pass)).toEqual([true, true]);
  });
  it('fails when one sample is above the cap', () => {
    const c = boundCriteria(
      'secondary',
      samples((t) => ({ cache: t === 40 ? 8.5 : 7.9, log: 100 })),
      spans,
      caps,
    );
    expect(c[0]?.pass).toBe(false);
  });
  it('fails when the tail of a writing node is not at its capacity, and bounds it elsewhere', () => {
    const filling = samples((t) => ({ cache: 7.9, log: 40 + t }));
    expect(boundCriteria('secondary', filling, spans, caps)[1]?.pass).toBe(false);
    expect(boundCriteria('caching', filling, spans, { ...caps, writes: false })[1]?.pass).toBe(true);
    const over = samples(() => ({ cache: 7.9, log: 101 }));
    expect(boundCriteria('caching', over, spans, { ...caps, writes: false })[1]?.pass).toBe(false);
  });
});
