import { IdnError } from '../errors/idn-error.ts';
import type { Next, Outcome, ResolveRequest, Stage } from '../resolve/outcome.ts';
import { createBoundedCache } from './admission/plain-lru-cache.ts';
import type { BoundedCache } from './admission/bounded-cache.ts';
import { cacheable, toCachedAnswer, type CachedAnswer } from './cached-answer.ts';
import type { CachePolicy } from './cache-policy.ts';

/** One backend call in progress for a key; cancelled when the key is invalidated meanwhile. */
interface Flight {
  promise: Promise<Outcome>;
  cancelled: boolean;
}

export interface ResolutionCacheStats {
  hits: number;
  misses: number;
  stale: number;
  prefetches: number;
  /** Backend calls actually made (a stampede of N misses on one key counts 1). */
  fetches: number;
  evictions: number;
}

/**
 * The in-process resolution cache: TTL from the record (clamped), negative caching,
 * single-flight per key, serve-stale while the backend fails, prefetch of hot entries.
 */
export class ResolutionCache {
  readonly stats: ResolutionCacheStats = { hits: 0, misses: 0, stale: 0, prefetches: 0, fetches: 0, evictions: 0 };
  private readonly entries: BoundedCache<CachedAnswer>;
  private readonly flights = new Map<string, Flight>();
  private readonly policy: CachePolicy;

  constructor(policy: CachePolicy) {
    this.policy = policy;
    this.entries = createBoundedCache<CachedAnswer>(policy.admission, {
      maxEntries: policy.maxEntries,
      maxBytes: policy.maxBytes,
      sizeOf: (a) => a.bytes,
      onEvict: (_k, _v, reason) => {
        if (reason === 'evicted') this.stats.evictions++;
      },
    });
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.entries.bytes;
  }

  /** Drops a key (after a local write, or a change announced by another instance). */
  invalidate(key: string): void {
    this.entries.delete(key);
    const flight = this.flights.get(key);
    if (flight) {
      flight.cancelled = true;
      this.flights.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
    for (const f of this.flights.values()) f.cancelled = true;
    this.flights.clear();
  }

  readonly stage: Stage = {
    name: 'cache',
    run: (req, next) => this.lookup(req, next),
  };

  private lookup(req: ResolveRequest, next: Next): Promise<Outcome> {
    if (req.authoritative) return next(req);
    const now = Date.now();
    const hit = this.entries.get(req.id.key);
    if (hit !== undefined && now < hit.freshUntil) {
      this.stats.hits++;
      if (now > hit.freshUntil - hit.ttlMs * this.policy.prefetchFraction) this.prefetch(req, next);
      return Promise.resolve(hit.outcome);
    }
    if (hit !== undefined && now < hit.staleUntil) return this.revalidate(req, next, hit);
    this.stats.misses++;
    return this.fly(req, next);
  }

  private prefetch(req: ResolveRequest, next: Next): void {
    if (this.flights.has(req.id.key)) return;
    this.stats.prefetches++;
    // Errors are already outcomes; nothing is left unhandled.
    void this.fly(req, next);
  }

  /** Serves a fresh answer if the backend gives one in time, else the stale copy. */
  private async revalidate(req: ResolveRequest, next: Next, stale: CachedAnswer): Promise<Outcome> {
    const fresh = await withTimeout(this.fly(req, next), this.policy.staleTimeoutMs);
    if (fresh !== undefined && fresh.kind !== 'error') return fresh;
    this.stats.stale++;
    return { ...stale.outcome, source: 'stale' };
  }

  /** Single-flight: one backend call per key, however many requests wait on it. */
  private fly(req: ResolveRequest, next: Next): Promise<Outcome> {
    const key = req.id.key;
    const existing = this.flights.get(key);
    if (existing) return existing.promise;
    // Registered before the call starts, so a backend that answers synchronously still clears it.
    const flight: Flight = { promise: PENDING, cancelled: false };
    this.flights.set(key, flight);
    flight.promise = this.fetch(req, next, flight);
    return flight.promise;
  }

  private async fetch(req: ResolveRequest, next: Next, flight: Flight): Promise<Outcome> {
    this.stats.fetches++;
    let outcome: Outcome;
    try {
      outcome = await next(req);
    } catch (e) {
      outcome = { kind: 'error', error: e instanceof IdnError ? e : new IdnError('IDN_ERR_INTERNAL') };
    }
    if (this.flights.get(req.id.key) === flight) this.flights.delete(req.id.key);
    // An invalidation while we fetched means our answer may predate the change: do not keep it.
    if (!flight.cancelled && cacheable(outcome)) {
      this.entries.set(req.id.key, toCachedAnswer(req.id.key, outcome, this.policy, Date.now()));
    }
    return outcome;
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
