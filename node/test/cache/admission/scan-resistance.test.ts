import { describe, expect, it } from 'vitest';
import { createBoundedCache } from '../../../src/cache/admission/plain-lru-cache.ts';
import type { AdmissionPolicy, BoundedCache } from '../../../src/cache/admission/plain-lru-cache.ts';

const CAPACITY = 1000;
const HOT = Array.from({ length: 100 }, (_, i) => `86.100.1/RECALL-${i}`);

/** Cache-aside step as the resolver does it; returns whether it was a hit. */
function resolve(cache: BoundedCache<string>, key: string): boolean {
  if (cache.get(key) !== undefined) return true;
  cache.set(key, `record of ${key}`);
  return false;
}

function hotHitRate(cache: BoundedCache<string>): number {
  return HOT.filter((key) => resolve(cache, key)).length / HOT.length;
}

function warmed(policy: AdmissionPolicy): BoundedCache<string> {
  const cache = createBoundedCache<string>(policy, { maxEntries: CAPACITY });
  for (let round = 0; round < 20; round++) for (const key of HOT) resolve(cache, key);
  return cache;
}

/** Hot set warmed up, then 5x capacity one-off scans, then the hot set again. */
function afterFlood(policy: AdmissionPolicy): { cache: BoundedCache<string>; hitRate: number } {
  const cache = warmed(policy);
  for (let i = 0; i < 5 * CAPACITY; i++) resolve(cache, `86.100.1/SN-${i}`);
  return { cache, hitRate: hotHitRate(cache) };
}

/**
 * 20x capacity of one-offs with the hot set still requested, but sparsely: one
 * hot request per 20 scans, so a hot key comes back only after ~2x capacity
 * other keys. Returns the hot-set hit rate during the flood.
 */
function duringFlood(policy: AdmissionPolicy): number {
  const cache = warmed(policy);
  let hotHits = 0;
  let hotRequests = 0;
  for (let i = 0; i < 20 * CAPACITY; i++) {
    resolve(cache, `86.100.1/SN-${i}`);
    if (i % 20 === 0) {
      hotRequests++;
      if (resolve(cache, HOT[hotRequests % HOT.length]!)) hotHits++;
    }
  }
  return hotHits / hotRequests;
}

describe('scan resistance', () => {
  it('keeps the hot set through a flood of one-off keys with TinyLFU, not with plain LRU', () => {
    const tiny = afterFlood('tinylfu');
    const lru = afterFlood('lru');
    expect(tiny.hitRate).toBeGreaterThanOrEqual(0.95);
    expect(lru.hitRate).toBe(0);
    expect(tiny.cache.stats().rejected).toBeGreaterThan(3 * CAPACITY);
  });

  it('keeps serving a sparsely requested hot set during a long flood with TinyLFU, not with plain LRU', () => {
    expect(duringFlood('tinylfu')).toBeGreaterThanOrEqual(0.95);
    expect(duringFlood('lru')).toBeLessThanOrEqual(0.05);
  });

  it('still lets a key that turns hot displace cold residents', () => {
    const { cache } = afterFlood('tinylfu');
    const viral = '86.100.1/VIRAL-1';
    // Several hits while it sits in the window, then enough one-offs to push it out.
    for (let i = 0; i < 5; i++) resolve(cache, viral);
    for (let i = 0; i < 50; i++) resolve(cache, `86.100.1/LATE-${i}`);
    expect(cache.has(viral)).toBe(true);
  });

  it('keeps hot entries under byte pressure from large one-off values', () => {
    const cache = createBoundedCache<string>('tinylfu', {
      maxEntries: 10_000,
      maxBytes: 20_000,
      sizeOf: (v) => v.length,
    });
    for (let round = 0; round < 20; round++) for (const key of HOT) resolve(cache, key);
    for (let i = 0; i < 2000; i++) cache.set(`86.100.1/BIG-${i}`, 'x'.repeat(500));
    expect(hotHitRate(cache)).toBeGreaterThanOrEqual(0.95);
  });
});
