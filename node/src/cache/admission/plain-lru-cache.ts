/**
 * Baseline "admission off" cache: one LRUCache, every new entry admitted.
 * Same contract as TinyLfuCache so configuration can pick either one.
 */
import { LRUCache } from 'lru-cache';
import { emptyStats, resolveLimits } from './bounded-cache.ts';
import { TinyLfuCache } from './tiny-lfu-cache.ts';
import type {
  AdmissionPolicy,
  BoundedCache,
  BoundedCacheOptions,
  CacheStats,
  CacheValue,
  Entry,
  EvictionReason,
  Limits,
} from './bounded-cache.ts';

export type {
  AdmissionPolicy,
  BoundedCache,
  BoundedCacheOptions,
  CacheStats,
  EvictionReason,
} from './bounded-cache.ts';

export class PlainLruCache<V extends CacheValue> implements BoundedCache<V> {
  readonly policy: AdmissionPolicy = 'lru';
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly #measure: Limits<V>['measure'];
  readonly #onEvict: BoundedCacheOptions<V>['onEvict'];
  // One slot of slack: bounds are enforced here so evictions are reported with
  // the same reasons and byte accounting as TinyLfuCache (lru-cache's maxSize
  // would also refuse zero-byte values).
  readonly #lru: LRUCache<string, Entry<V>>;
  #bytes = 0;
  #stats: CacheStats = emptyStats();

  constructor(opts: BoundedCacheOptions<V>) {
    const limits = resolveLimits(opts);
    this.maxEntries = limits.maxEntries;
    this.maxBytes = limits.maxBytes;
    this.#measure = limits.measure;
    this.#onEvict = opts.onEvict;
    this.#lru = new LRUCache({ max: this.maxEntries + 1 });
  }

  get size(): number {
    return this.#lru.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): V | undefined {
    const entry = this.#lru.get(key);
    if (entry === undefined) {
      this.#stats.misses++;
      return undefined;
    }
    this.#stats.hits++;
    return entry.value;
  }

  has(key: string): boolean {
    return this.#lru.has(key);
  }

  peek(key: string): V | undefined {
    return this.#lru.peek(key)?.value;
  }

  set(key: string, value: V): boolean {
    const bytes = this.#measure(value);
    if (bytes > this.maxBytes) {
      this.#remove(key, 'replaced');
      this.#stats.rejected++;
      return false;
    }
    const existing = this.#lru.get(key);
    if (existing === undefined) {
      this.#lru.set(key, { key, value, bytes });
      this.#stats.admitted++;
    } else {
      const old = existing.value;
      this.#bytes -= existing.bytes;
      existing.value = value;
      existing.bytes = bytes;
      if (old !== value) this.#onEvict?.(key, old, 'replaced');
    }
    this.#bytes += bytes;
    this.#enforceBounds();
    return this.#lru.has(key);
  }

  delete(key: string): boolean {
    return this.#remove(key, 'deleted');
  }

  clear(): void {
    const gone = [...this.#lru.values()];
    this.#lru.clear();
    this.#bytes = 0;
    for (const entry of gone) this.#onEvict?.(entry.key, entry.value, 'cleared');
  }

  stats(): CacheStats {
    return { ...this.#stats };
  }

  #enforceBounds(): void {
    while (this.#lru.size > this.maxEntries || this.#bytes > this.maxBytes) {
      const victim = this.#lru.pop();
      if (victim === undefined) return;
      this.#bytes -= victim.bytes;
      this.#stats.evictions++;
      this.#onEvict?.(victim.key, victim.value, 'evicted');
    }
  }

  #remove(key: string, reason: EvictionReason): boolean {
    const entry = this.#lru.peek(key);
    if (entry === undefined) return false;
    this.#lru.delete(key);
    this.#bytes -= entry.bytes;
    this.#onEvict?.(key, entry.value, reason);
    return true;
  }
}

/** Builds the cache for the configured admission policy. */
export function createBoundedCache<V extends CacheValue>(
  policy: AdmissionPolicy,
  opts: BoundedCacheOptions<V>,
): BoundedCache<V> {
  switch (policy) {
    case 'lru':
      return new PlainLruCache(opts);
    case 'tinylfu':
      return new TinyLfuCache(opts);
  }
}
