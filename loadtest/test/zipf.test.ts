import { describe, expect, it } from 'vitest';
import { seededPermutation, seededRandom, zipfSampler } from '../lib/zipf.ts';

const harmonic = (n: number): number => {
  let h = 0;
  for (let i = 1; i <= n; i++) h += 1 / i;
  return h;
};

function counts(n: number, samples: number, seed: number): number[] {
  const sample = zipfSampler({ n, exponent: 1, seed });
  const c = new Array<number>(n).fill(0);
  for (let i = 0; i < samples; i++) c[sample()]!++;
  return c;
}

describe('zipf sampler', () => {
  it('gives rank k a share close to (1/k) / H(n)', () => {
    const n = 1_000;
    const samples = 200_000;
    const c = counts(n, samples, 7);
    const h = harmonic(n);
    for (const rank of [1, 2, 3, 10]) {
      const expected = 1 / rank / h;
      expect(Math.abs(c[rank - 1]! / samples - expected)).toBeLessThan(expected * 0.05);
    }
    // The tail is reached too: rank 500..1000 together hold ln(2)/H(n) ≈ 9 %.
    const tail = c.slice(499).reduce((a, b) => a + b, 0) / samples;
    expect(tail).toBeGreaterThan(0.07);
    expect(tail).toBeLessThan(0.11);
  });

  it('is repeatable for a seed and differs between seeds', () => {
    const a = zipfSampler({ n: 100_000, seed: 3 });
    const b = zipfSampler({ n: 100_000, seed: 3 });
    const c = zipfSampler({ n: 100_000, seed: 4 });
    const seqA = Array.from({ length: 50 }, a);
    expect(Array.from({ length: 50 }, b)).toEqual(seqA);
    expect(Array.from({ length: 50 }, c)).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 100_000)).toBe(true);
  });

  it('permutes ranks over the key space, repeatably', () => {
    const p = seededPermutation(1_000, 9);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect([...seededPermutation(1_000, 9)]).toEqual([...p]);
    expect(p[0]).not.toBe(0);
  });

  it('draws uniform numbers in [0, 1)', () => {
    const r = seededRandom(1);
    const xs = Array.from({ length: 10_000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(xs.reduce((a, b) => a + b, 0) / xs.length - 0.5)).toBeLessThan(0.02);
  });
});
