import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountMinSketch, hashKey } from '../../../src/cache/admission/count-min-sketch.ts';

describe('hashKey', () => {
  it('is a deterministic unsigned 32-bit value', () => {
    fc.assert(
      fc.property(fc.string(), (key) => {
        const h = hashKey(key);
        expect(h).toBe(hashKey(key));
        expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
      }),
    );
  });

  it('spreads serials that differ only in their last character', () => {
    const buckets = new Set<number>();
    for (let i = 0; i < 1000; i++) buckets.add(hashKey(`86.100.1/SN${i}`) & 1023);
    // 1000 keys into 1024 buckets: uniform hashing fills ~63 %.
    expect(buckets.size).toBeGreaterThan(550);
  });
});

describe('CountMinSketch', () => {
  it('never estimates below the true count (one-sided error), even when crowded', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 499 }), { minLength: 1, maxLength: 3000 }), (draws) => {
        // 16 columns for up to 500 keys: collisions everywhere.
        const sketch = new CountMinSketch({ capacity: 16, sampleSize: Number.MAX_SAFE_INTEGER });
        const truth = new Map<string, number>();
        for (const n of draws) {
          const key = `k${n}`;
          sketch.increment(key);
          truth.set(key, (truth.get(key) ?? 0) + 1);
        }
        for (const [key, count] of truth) expect(sketch.estimate(key)).toBeGreaterThanOrEqual(Math.min(count, 15));
      }),
    );
  });

  it('is exact for a few keys in a roomy sketch and saturates at 15', () => {
    const sketch = new CountMinSketch({ capacity: 1024, sampleSize: Number.MAX_SAFE_INTEGER });
    for (let i = 0; i < 3; i++) sketch.increment('a');
    for (let i = 0; i < 40; i++) sketch.increment('b');
    expect(sketch.estimate('a')).toBe(3);
    expect(sketch.estimate('b')).toBe(15);
    expect(sketch.estimate('never-seen')).toBe(0);
  });

  it('halves every estimate when aged', () => {
    const sketch = new CountMinSketch({ capacity: 64, sampleSize: Number.MAX_SAFE_INTEGER });
    const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);
    keys.forEach((key, i) => {
      for (let n = 0; n < i % 16; n++) sketch.increment(key);
    });
    const before = keys.map((key) => sketch.estimate(key));
    sketch.age();
    expect(keys.map((key) => sketch.estimate(key))).toEqual(before.map((e) => Math.floor(e / 2)));
  });

  it('ages by itself after sampleSize increments', () => {
    const sketch = new CountMinSketch({ capacity: 64, sampleSize: 100 });
    for (let i = 0; i < 12; i++) sketch.increment('hot');
    expect(sketch.estimate('hot')).toBe(12);
    for (let i = 0; i < 88; i++) sketch.increment(`cold-${i}`);
    expect(sketch.estimate('hot')).toBe(6);
  });

  it('defaults the sample size to 10 x capacity and clears', () => {
    const sketch = new CountMinSketch({ capacity: 500 });
    expect(sketch.sampleSize).toBe(5000);
    expect(sketch.width).toBe(2048);
    sketch.increment('x');
    sketch.clear();
    expect(sketch.estimate('x')).toBe(0);
    expect(() => new CountMinSketch({ capacity: 0 })).toThrow(RangeError);
  });
});
