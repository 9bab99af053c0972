/**
 * Seeded random numbers and a Zipf sampler: the same seed gives the same request sequence, so
 * two runs (or a bare/node pair) see the same key mix and differences come from the server.
 */

/** mulberry32: tiny, fast, good enough for workload shaping (not for anything secret). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Cumulative, normalised Zipf weights 1/rank^s for ranks 1..n. */
function zipfCdf(n: number, exponent: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / Math.pow(i + 1, exponent);
    cdf[i] = sum;
  }
  for (let i = 0; i < n; i++) cdf[i]! /= sum;
  return cdf;
}

/** First index whose cumulative weight reaches u (binary search: O(log n) per sample). */
function searchCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface ZipfOptions {
  readonly n: number;
  /** 1.0 is the classic web-cache skew; larger is more skewed. */
  readonly exponent?: number;
  readonly seed?: number;
}

/** Returns a sampler of ranks 0..n-1, rank 0 the most popular. */
export function zipfSampler(opts: ZipfOptions): () => number {
  const cdf = zipfCdf(opts.n, opts.exponent ?? 1);
  const random = seededRandom(opts.seed ?? 1);
  return () => searchCdf(cdf, random());
}

/**
 * A seeded permutation of 0..n-1 (Fisher-Yates): maps Zipf ranks to key indexes so the hot keys
 * are scattered over the key space instead of sitting next to each other in LMDB's B-tree.
 */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const random = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}
