import { IdnError } from '../errors/idn-error.ts';
import type { Outcome } from '../records/outcome.ts';
import type { ChangeListener } from '../store/change-feed.ts';
import { createBoundedCache } from './admission/plain-lru-cache.ts';
import type { BoundedCache } from './admission/bounded-cache.ts';
import { cacheable, toCachedAnswer, type CachedAnswer } from './cached-answer.ts';
import type { CachePolicy } from './cache-policy.ts';
import { DependencyIndex, namespaceOf } from './dependencies.ts';
import { RecentChanges } from './recent-changes.ts';
import { monotonicMs } from '../auth/clock.ts';

/** One backend call in progress for a key; cancelled when the key is invalidated meanwhile. */
interface Flight {
  promise: Promise<Outcome>;
  cancelled: boolean;
  /** Change position at the start (recent-changes.ts). */
  readonly since: number;
}

/** What the cache needs of a resolution request (resolve's ResolveRequest has it). */
export interface CacheRequest {
  readonly id: { readonly key: string };
  /** auth=true: bypass the cache. */
  readonly authoritative: boolean;
}

export interface ResolutionCacheOptions {
  /** The clock of every TTL, stale-window and prefetch decision, in ms (tests drive it). Default monotonic: a wall-clock step neither keeps nor drops entries. */
  readonly now?: () => number;
  /** Bound of (source, dependent answer) pairs indexed; default 4 per entry of policy.maxEntries. */
  readonly maxDependencies?: number;
}

export interface ResolutionCacheStats {
  hits: number;
  misses: number;
  stale: number;
  prefetches: number;
  /** Backend calls actually made (a stampede of N misses on one key counts 1). */
  fetches: number;
  evictions: number;
  /** Answers dropped because a record they were built from changed. */
  dependentsDropped: number;
  /** Derived answers not kept because the dependency index was full (fetched again next time). */
  dependencyOverflows: number;
  /** Times everything was dropped because changes may have been missed. */
  gaps: number;
}

/**
 * The in-process resolution cache: TTL from the record (clamped), negative caching,
 * single-flight per key, serve-stale while the backend fails, prefetch of hot entries.
 * It owns invalidation: it listens to the change feed and drops a changed key, every answer
 * built from it (`dependsOn`), and everything after a gap.
 */
export class ResolutionCache implements ChangeListener {
  readonly stats: ResolutionCacheStats = {
    hits: 0,
    misses: 0,
    stale: 0,
    prefetches: 0,
    fetches: 0,
    evictions: 0,
    dependentsDropped: 0,
    dependencyOverflows: 0,
    gaps: 0,
  };
  private readonly entries: BoundedCache<CachedAnswer>;
  private readonly flights = new Map<string, Flight>();
  private readonly deps: DependencyIndex;
  private readonly recent = new RecentChanges();
  private readonly policy: CachePolicy;
  private readonly now: () => number;

  constructor(policy: CachePolicy, opts: ResolutionCacheOptions = {}) {
    this.policy = policy;
    this.now = opts.now ?? monotonicMs;
    this.deps = new DependencyIndex(opts.maxDependencies ?? 4 * policy.maxEntries);
    this.entries = createBoundedCache<CachedAnswer>(policy.admission, {
      maxEntries: policy.maxEntries,
      maxBytes: policy.maxBytes,
      sizeOf: (a) => a.bytes,
      onEvict: (key, answer, reason) => {
        if (reason === 'evicted') this.stats.evictions++;
        if (answer.dependsOn.length > 0) this.deps.remove(key, answer.dependsOn);
      },
    });
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.entries.bytes;
  }

  /** (source, dependent answer) pairs indexed. */
  get dependencies(): number {
    return this.deps.size;
  }

  /** A key changed (change feed): drop it and every answer built from it or from its namespace. */
  changed(key: string): void {
    this.forget(key);
    this.dropDependents(key);
    const ns = namespaceOf(key);
    if (ns !== undefined) this.dropDependents(ns);
  }

  /** Changes may have been missed (change feed): nothing held can be proven fresh. */
  gap(): void {
    this.stats.gaps++;
    this.clear();
  }

  clear(): void {
    this.deps.clear();
    this.entries.clear();
    for (const f of this.flights.values()) f.cancelled = true;
    this.flights.clear();
    this.recent.forget();
  }

  /** The first link of the resolution chain (a resolve Stage, typed here without importing resolve/). */
  readonly stage = {
    name: 'cache',
    run: <R extends CacheRequest>(req: R, next: (req: R) => Promise<Outcome>): Promise<Outcome> =>
      req.authoritative ? next(req) : this.lookup(req.id.key, () => next(req)),
  };

  /**
   * A fresh answer, synchronously, when a lookup would be a plain hit (fresh, not due for
   * prefetch): counted and recorded exactly as lookup() counts a hit. Anything else (a miss, a
   * stale entry, a prefetch to start) records nothing and leaves the caller to the chain.
   */
  hitNow(key: string): CachedAnswer['outcome'] | undefined {
    const entry = this.entries.peek(key);
    if (entry === undefined) return undefined;
    const now = this.now();
    if (now >= entry.freshUntil || now > entry.freshUntil - entry.ttlMs * this.policy.prefetchFraction) {
      return undefined;
    }
    this.entries.get(key);
    this.stats.hits++;
    return entry.outcome;
  }

  /** Drops the entry and any call in flight for it (whose answer may predate the change). */
  private forget(key: string): void {
    this.entries.delete(key);
    const flight = this.flights.get(key);
    if (flight) {
      flight.cancelled = true;
      this.flights.delete(key);
    }
  }

  private dropDependents(source: string): void {
    // Noted even when no dependent is cached: an answer built from it may be in flight.
    this.recent.note(source, this.oldestFlight());
    const dependents = this.deps.take(source);
    if (dependents === undefined) return;
    for (const key of dependents) {
      this.forget(key);
      this.stats.dependentsDropped++;
    }
  }

  private oldestFlight(): number | undefined {
    // Map order is start order: a flight is always a new insertion.
    for (const f of this.flights.values()) return f.since;
    return undefined;
  }

  private lookup(key: string, load: () => Promise<Outcome>): Promise<Outcome> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && now < hit.freshUntil) {
      this.stats.hits++;
      if (now > hit.freshUntil - hit.ttlMs * this.policy.prefetchFraction) this.prefetch(key, load);
      return Promise.resolve(hit.outcome);
    }
    if (hit !== undefined && now < hit.staleUntil) return this.revalidate(key, load, hit);
    this.stats.misses++;
    return this.fly(key, load);
  }

  private prefetch(key: string, load: () => Promise<Outcome>): void {
    if (this.flights.has(key)) return;
    this.stats.prefetches++;
    // Errors are already outcomes; nothing is left unhandled.
    void this.fly(key, load);
  }

  /** Serves a fresh answer if the backend gives one in time, else the stale copy. */
  private async revalidate(key: string, load: () => Promise<Outcome>, stale: CachedAnswer): Promise<Outcome> {
    const fresh = await withTimeout(this.fly(key, load), this.policy.staleTimeoutMs);
    if (fresh !== undefined && fresh.kind !== 'error') return fresh;
    this.stats.stale++;
    return { ...stale.outcome, source: 'stale' };
  }

  /** Single-flight: one backend call per key, however many requests wait on it. */
  private fly(key: string, load: () => Promise<Outcome>): Promise<Outcome> {
    const existing = this.flights.get(key);
    if (existing) return existing.promise;
    // Registered before the call starts, so a backend that answers synchronously still clears it.
    const flight: Flight = { promise: PENDING, cancelled: false, since: this.recent.now };
    this.flights.set(key, flight);
    flight.promise = this.fetch(key, load, flight);
    return flight.promise;
  }

  private async fetch(key: string, load: () => Promise<Outcome>, flight: Flight): Promise<Outcome> {
    this.stats.fetches++;
    let outcome: Outcome;
    try {
      outcome = await load();
    } catch (e) {
      outcome = { kind: 'error', error: e instanceof IdnError ? e : new IdnError('IDN_ERR_INTERNAL') };
    }
    if (this.flights.get(key) === flight) this.flights.delete(key);
    // An invalidation while we fetched means our answer may predate the change: do not keep it.
    if (!flight.cancelled && cacheable(outcome)) this.keep(key, outcome, flight.since);
    if (this.flights.size === 0) this.recent.forget();
    return outcome;
  }

  private keep(key: string, outcome: CachedAnswer['outcome'], since: number): void {
    const answer = toCachedAnswer(key, outcome, this.policy, this.now());
    const sources = answer.dependsOn;
    if (this.recent.overtook(sources, since)) return void this.entries.delete(key);
    if (sources.length > 0 && !this.deps.fits(sources.length)) {
      // Unindexed, it could outlive a change to its sources: leave it out (and any older copy).
      this.stats.dependencyOverflows++;
      return void this.entries.delete(key);
    }
    // Indexed only once resident: set() reports a replaced or refused entry through onEvict first.
    if (this.entries.set(key, answer) && sources.length > 0) this.deps.add(key, sources);
  }
}

const PENDING: Promise<Outcome> = new Promise(() => undefined);

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}
