/**
 * Contract shared by the plain LRU and the TinyLFU caches so the resolution
 * cache can switch admission policy by configuration alone.
 */

export type AdmissionPolicy = 'lru' | 'tinylfu';

/**
 * Why an entry left the cache:
 * - `evicted`: a resident entry removed to respect maxEntries / maxBytes;
 * - `rejected`: a new entry refused by the admission policy (TinyLFU only);
 * - `replaced`: set() superseded the value of an existing key;
 * - `deleted` / `cleared`: explicit delete() / clear().
 */
export type EvictionReason = 'evicted' | 'rejected' | 'replaced' | 'deleted' | 'cleared';

// `undefined` is the miss marker of get(), so it cannot be a cached value.
export type CacheValue = NonNullable<unknown>;

export interface BoundedCacheOptions<V extends CacheValue> {
  maxEntries: number;
  /** Upper bound of the sum of sizeOf(value); requires sizeOf. */
  maxBytes?: number;
  /** Size of a value in bytes (any finite number >= 0); called once per set(). */
  sizeOf?: (value: V) => number;
  /** Called synchronously after the entry is gone from the cache. */
  onEvict?: (key: string, value: V, reason: EvictionReason) => void;
}

/**
 * Monotonic counters (clear() keeps them, like Prometheus counters).
 * `admitted` counts entries that passed the admission filter (every insert for
 * plain LRU), `rejected` entries refused by it or too large to store at all,
 * `evictions` resident entries removed to make room.
 */
export interface CacheStats {
  hits: number;
  misses: number;
  admitted: number;
  rejected: number;
  evictions: number;
}

export interface BoundedCache<V extends CacheValue> {
  readonly policy: AdmissionPolicy;
  readonly size: number;
  readonly bytes: number;
  /** Returns the value and records the access (recency, and frequency for TinyLFU). */
  get(key: string): V | undefined;
  /** Presence check that records nothing. */
  has(key: string): boolean;
  /** The value, recording nothing (a caller that then uses it calls get()). */
  peek(key: string): V | undefined;
  /** Stores the value; returns whether the key is resident once the bounds are enforced. */
  set(key: string, value: V): boolean;
  delete(key: string): boolean;
  clear(): void;
  stats(): CacheStats;
}

export interface Entry<V> {
  readonly key: string;
  value: V;
  bytes: number;
}

export interface Limits<V> {
  maxEntries: number;
  maxBytes: number;
  measure: (value: V) => number;
}

/** Validates the options once so the hot paths need no checks. */
export function resolveLimits<V extends CacheValue>(opts: BoundedCacheOptions<V>): Limits<V> {
  const { maxEntries, maxBytes = Infinity, sizeOf } = opts;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }
  if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be > 0, got ${maxBytes}`);
  if (maxBytes !== Infinity && sizeOf === undefined) throw new TypeError('maxBytes requires sizeOf');
  return { maxEntries, maxBytes, measure: sizeOf === undefined ? () => 0 : checkedSize(sizeOf) };
}

// A NaN or negative size would silently break the byte bound, so fail loudly.
function checkedSize<V>(sizeOf: (value: V) => number): (value: V) => number {
  return (value) => {
    const bytes = sizeOf(value);
    if (!(bytes >= 0) || bytes === Infinity) throw new RangeError(`sizeOf returned ${bytes}`);
    return bytes;
  };
}

export function emptyStats(): CacheStats {
  return { hits: 0, misses: 0, admitted: 0, rejected: 0, evictions: 0 };
}
