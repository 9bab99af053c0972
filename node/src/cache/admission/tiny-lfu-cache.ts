/**
 * W-TinyLFU: a small LRU admission window in front of a segmented LRU main
 * region, with a count-min sketch deciding which of two entries is worth more
 * when the main region is full. One-off QR scans pass through the window and
 * then lose against the hot serials instead of evicting them.
 *
 * Each region is an lru-cache LRUCache used purely as an ordered map: its own
 * `max` is set one above ours so it never evicts by itself (it would drop the
 * entry silently, before the admission duel could run). Bounds are enforced
 * here, with pop() taking a segment's LRU entry (entries carry their key).
 * One Map indexes all three regions so a miss costs one lookup, not three.
 *
 * The window's share applies to both bounds (~1 % of entries and of bytes) so
 * that a few large values cannot turn the window into the whole cache and
 * bypass admission. The main region takes whatever the window leaves of the
 * totals, so a small window does not waste capacity.
 */
import { LRUCache } from 'lru-cache';
import { CountMinSketch, hashKey } from './count-min-sketch.ts';
import { emptyStats, resolveLimits } from './bounded-cache.ts';
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

// ~1 % window suits recency-light, frequency-heavy scan traffic.
const WINDOW_SHARE = 0.01;
// Share of the main region reserved for entries hit again after admission.
const PROTECTED_SHARE = 0.8;

const WINDOW = 0;
const PROBATION = 1;
const PROTECTED = 2;
type Region = typeof WINDOW | typeof PROBATION | typeof PROTECTED;

interface HashedEntry<V> extends Entry<V> {
  // Kept so duels compare frequencies without rehashing keys.
  readonly hash: number;
  region: Region;
}

type Segment<V> = LRUCache<string, HashedEntry<V>>;

export class TinyLfuCache<V extends CacheValue> implements BoundedCache<V> {
  readonly policy: AdmissionPolicy = 'tinylfu';
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly #measure: Limits<V>['measure'];
  readonly #onEvict: BoundedCacheOptions<V>['onEvict'];
  readonly #windowMax: number;
  readonly #windowMaxBytes: number;
  readonly #protectedMax: number;
  readonly #window: Segment<V>;
  readonly #probation: Segment<V>;
  readonly #protected: Segment<V>;
  readonly #index = new Map<string, HashedEntry<V>>();
  readonly #sketch: CountMinSketch;
  #windowBytes = 0;
  #mainBytes = 0;
  #stats: CacheStats = emptyStats();

  constructor(opts: BoundedCacheOptions<V>) {
    const limits = resolveLimits(opts);
    this.maxEntries = limits.maxEntries;
    this.maxBytes = limits.maxBytes;
    this.#measure = limits.measure;
    this.#onEvict = opts.onEvict;
    this.#windowMax = Math.max(1, Math.round(this.maxEntries * WINDOW_SHARE));
    this.#protectedMax = Math.floor((this.maxEntries - this.#windowMax) * PROTECTED_SHARE);
    this.#windowMaxBytes = this.maxBytes * WINDOW_SHARE;
    this.#window = new LRUCache({ max: this.#windowMax + 1 });
    this.#probation = new LRUCache({ max: this.maxEntries + 1 });
    this.#protected = new LRUCache({ max: this.#protectedMax + 1 });
    this.#sketch = new CountMinSketch({ capacity: this.maxEntries });
  }

  get size(): number {
    return this.#index.size;
  }

  get bytes(): number {
    return this.#windowBytes + this.#mainBytes;
  }

  get(key: string): V | undefined {
    // Misses count too: that is how a returning key earns its admission.
    this.#sketch.incrementHash(hashKey(key));
    const entry = this.#index.get(key);
    if (entry === undefined) {
      this.#stats.misses++;
      return undefined;
    }
    if (entry.region === PROBATION) this.#promote(entry);
    else this.#segment(entry.region).get(key);
    this.#stats.hits++;
    return entry.value;
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  peek(key: string): V | undefined {
    return this.#index.get(key)?.value;
  }

  set(key: string, value: V): boolean {
    const bytes = this.#measure(value);
    if (bytes > this.maxBytes) {
      this.#remove(key, 'replaced');
      this.#stats.rejected++;
      return false;
    }
    const existing = this.#index.get(key);
    if (existing === undefined) {
      const entry: HashedEntry<V> = { key, hash: hashKey(key), value, bytes, region: WINDOW };
      this.#index.set(key, entry);
      this.#window.set(key, entry);
      this.#windowBytes += bytes;
    } else {
      this.#replace(existing, value, bytes);
    }
    this.#enforceBounds();
    return this.#index.has(key);
  }

  delete(key: string): boolean {
    return this.#remove(key, 'deleted');
  }

  clear(): void {
    const gone = [...this.#index.values()];
    for (const segment of [this.#window, this.#probation, this.#protected]) segment.clear();
    this.#index.clear();
    this.#windowBytes = 0;
    this.#mainBytes = 0;
    this.#sketch.clear();
    for (const entry of gone) this.#onEvict?.(entry.key, entry.value, 'cleared');
  }

  stats(): CacheStats {
    return { ...this.#stats };
  }

  #segment(region: Region): Segment<V> {
    if (region === WINDOW) return this.#window;
    return region === PROBATION ? this.#probation : this.#protected;
  }

  /** A hit in probation earns the entry a place in the protected segment. */
  #promote(entry: HashedEntry<V>): void {
    this.#probation.delete(entry.key);
    this.#protected.set(entry.key, entry);
    entry.region = PROTECTED;
    if (this.#protected.size > this.#protectedMax) {
      // Demoted, not evicted: it gets another chance at the head of probation.
      const demoted = this.#protected.pop();
      if (demoted !== undefined) this.#enterProbation(demoted);
    }
  }

  #enterProbation(entry: HashedEntry<V>): void {
    entry.region = PROBATION;
    this.#probation.set(entry.key, entry);
  }

  /** A write refreshes recency but is not a hit: no promotion, no frequency. */
  #replace(entry: HashedEntry<V>, value: V, bytes: number): void {
    this.#segment(entry.region).get(entry.key);
    const old = entry.value;
    if (entry.region === WINDOW) this.#windowBytes += bytes - entry.bytes;
    else this.#mainBytes += bytes - entry.bytes;
    entry.value = value;
    entry.bytes = bytes;
    if (old !== value) this.#onEvict?.(entry.key, old, 'replaced');
  }

  #enforceBounds(): void {
    while (this.#window.size > 0 && (this.#windowOverShare() || this.#overTotal(0))) {
      const candidate = this.#window.pop();
      if (candidate === undefined) break;
      this.#windowBytes -= candidate.bytes;
      this.#admit(candidate);
    }
    // Window empty and still over: a main value grew in place.
    while (this.#overTotal(0)) {
      const victim = this.#victim();
      if (victim === undefined) break;
      this.#evictResident(victim);
    }
  }

  #windowOverShare(): boolean {
    return this.#window.size > this.#windowMax || this.#windowBytes > this.#windowMaxBytes;
  }

  /** Whether the cache is over a bound, counting `pendingBytes` not yet in any region. */
  #overTotal(pendingBytes: number): boolean {
    return this.#index.size > this.maxEntries || this.#windowBytes + this.#mainBytes + pendingBytes > this.maxBytes;
  }

  /**
   * The window's LRU entry enters the main region if the totals allow it;
   * otherwise it duels the main region's victims, one at a time, until there
   * is room (a large candidate may need several) or it loses.
   */
  #admit(candidate: HashedEntry<V>): void {
    while (this.#overTotal(candidate.bytes)) {
      const victim = this.#victim();
      if (victim === undefined) {
        // The window alone fills the cache (tiny maxEntries or maxBytes).
        this.#drop(candidate, 'rejected');
        return;
      }
      // Ties keep the incumbent: an unproven newcomer should not churn the main region.
      if (this.#sketch.estimateHash(candidate.hash) <= this.#sketch.estimateHash(victim.hash)) {
        this.#drop(candidate, 'rejected');
        return;
      }
      this.#evictResident(victim);
    }
    this.#enterProbation(candidate);
    this.#mainBytes += candidate.bytes;
    this.#stats.admitted++;
  }

  /** Probation's LRU entry, or protected's when probation is empty. */
  #victim(): HashedEntry<V> | undefined {
    return lruEntry(this.#probation) ?? lruEntry(this.#protected);
  }

  #evictResident(victim: HashedEntry<V>): void {
    this.#segment(victim.region).delete(victim.key);
    this.#mainBytes -= victim.bytes;
    this.#drop(victim, 'evicted');
  }

  /** Bookkeeping for an entry already out of its segment and byte total. */
  #drop(entry: HashedEntry<V>, reason: 'evicted' | 'rejected'): void {
    this.#index.delete(entry.key);
    if (reason === 'evicted') this.#stats.evictions++;
    else this.#stats.rejected++;
    this.#onEvict?.(entry.key, entry.value, reason);
  }

  #remove(key: string, reason: EvictionReason): boolean {
    const entry = this.#index.get(key);
    if (entry === undefined) return false;
    this.#segment(entry.region).delete(key);
    this.#index.delete(key);
    if (entry.region === WINDOW) this.#windowBytes -= entry.bytes;
    else this.#mainBytes -= entry.bytes;
    this.#onEvict?.(key, entry.value, reason);
    return true;
  }
}

/**
 * lru-cache has no "peek at the LRU end" call (pop() removes, and a victim that
 * wins the duel must stay where it is), so read the first key of rkeys(); the
 * generator is created once per duel, not per request.
 */
function lruEntry<V>(segment: Segment<V>): HashedEntry<V> | undefined {
  for (const key of segment.rkeys()) return segment.peek(key);
  return undefined;
}
