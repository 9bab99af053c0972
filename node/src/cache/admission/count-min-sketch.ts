/**
 * Count-min sketch used as the frequency histogram of the TinyLFU admission
 * policy. Four rows of saturating 4-bit counters (one Uint8 each, capped at
 * 15): admission only compares "rather popular" with "rather not", so small
 * counters suffice, and the cap keeps a once-viral key from being immortal.
 *
 * Error is one-sided: an estimate is never below the true count (until the
 * counter saturates or the sketch ages), because collisions only ever add.
 */

const ROWS = 4;
const MAX_COUNT = 15;

// Seed of the second hash used to derive the row indexes.
const STEP_SEED = 0x9e3779b9;

export interface CountMinSketchOptions {
  /** Number of entries of the cache it serves; rows get 4 x capacity columns (power of two). */
  capacity: number;
  /** Increments between two ageing passes; defaults to 10 x capacity. */
  sampleSize?: number;
}

/**
 * 32-bit FNV-1a over UTF-16 code units, finished with the murmur3 fmix32
 * mixer. FNV alone spreads the last characters poorly, and serials that differ
 * only in their last digits are the common case here.
 */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

function fmix32(input: number): number {
  let h = input ^ (input >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class CountMinSketch {
  readonly width: number;
  readonly sampleSize: number;
  #table: Uint8Array;
  #mask: number;
  #additions = 0;

  constructor(opts: CountMinSketchOptions) {
    if (!Number.isInteger(opts.capacity) || opts.capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${opts.capacity}`);
    }
    // 4 columns per expected key: between two ageings ~10 x capacity
    // increments land in each row, and with fewer columns the noise alone
    // lets one-off keys outscore aged hot keys.
    this.width = nextPowerOfTwo(Math.max(16, 4 * opts.capacity));
    this.#mask = this.width - 1;
    this.#table = new Uint8Array(this.width * ROWS);
    this.sampleSize = opts.sampleSize ?? 10 * opts.capacity;
  }

  /** Records one occurrence of `key`. */
  increment(key: string): void {
    this.incrementHash(hashKey(key));
  }

  /** Estimated occurrences of `key` (0..15), never below the true (aged) count. */
  estimate(key: string): number {
    return this.estimateHash(hashKey(key));
  }

  /**
   * Same as increment() for a precomputed hashKey(): callers that keep the hash
   * next to the entry avoid rehashing the string on every comparison.
   *
   * Conservative update: only the counters equal to the current minimum grow.
   * It keeps the one-sided guarantee while reducing over-estimation.
   */
  incrementHash(hash: number): void {
    const step = rowStep(hash);
    const i0 = this.#slot(hash, step, 0);
    const i1 = this.#slot(hash, step, 1);
    const i2 = this.#slot(hash, step, 2);
    const i3 = this.#slot(hash, step, 3);
    const t = this.#table;
    const min = Math.min(t[i0] ?? 0, t[i1] ?? 0, t[i2] ?? 0, t[i3] ?? 0);
    if (min < MAX_COUNT) {
      if (t[i0] === min) t[i0] = min + 1;
      if (t[i1] === min) t[i1] = min + 1;
      if (t[i2] === min) t[i2] = min + 1;
      if (t[i3] === min) t[i3] = min + 1;
    }
    if (++this.#additions >= this.sampleSize) this.age();
  }

  estimateHash(hash: number): number {
    const t = this.#table;
    const step = rowStep(hash);
    return Math.min(
      t[this.#slot(hash, step, 0)] ?? 0,
      t[this.#slot(hash, step, 1)] ?? 0,
      t[this.#slot(hash, step, 2)] ?? 0,
      t[this.#slot(hash, step, 3)] ?? 0,
    );
  }

  /**
   * Halves every counter so that past popularity fades: a recall that was hot
   * last week must not keep out this week's keys. Runs automatically every
   * `sampleSize` increments; public so tests and callers can force it.
   */
  age(): void {
    const t = this.#table;
    for (let i = 0; i < t.length; i++) t[i] = (t[i] ?? 0) >>> 1;
    this.#additions >>>= 1;
  }

  clear(): void {
    this.#table.fill(0);
    this.#additions = 0;
  }

  /**
   * Row `row`'s counter index by double hashing (hash + row * step): one extra
   * mix per call instead of one per row, and an odd step keeps the four column
   * indexes distinct from each other.
   */
  #slot(hash: number, step: number, row: number): number {
    return row * this.width + ((hash + Math.imul(row, step)) & this.#mask);
  }
}

function rowStep(hash: number): number {
  return fmix32(hash ^ STEP_SEED) | 1;
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}
