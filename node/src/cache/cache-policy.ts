import type { AdmissionPolicy } from './admission/bounded-cache.ts';

/** How long answers live in the resolution cache (RFC 2308 / RFC 8767 practice). */
export interface CachePolicy {
  readonly enabled: boolean;
  readonly admission: AdmissionPolicy;
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** A found record lives min(value TTLs), clamped to [minTtlMs, maxTtlMs]. */
  readonly minTtlMs: number;
  readonly maxTtlMs: number;
  /** "Not found" and "gone" live this long (shorter: a new registration must show up soon). */
  readonly negativeTtlMs: number;
  /** After expiry an entry may still be served, marked stale, while the backend fails. */
  readonly staleWindowMs: number;
  /** How long a refresh may take before the stale copy is served instead. */
  readonly staleTimeoutMs: number;
  /** A hit in the last fraction of its life refreshes it in the background. */
  readonly prefetchFraction: number;
}

export const DEFAULT_CACHE_POLICY: CachePolicy = {
  enabled: true,
  admission: 'tinylfu',
  maxEntries: 200_000,
  // With the heap start.ts derives from it, keeps the whole process near 300 MB (docs/memory.md).
  maxBytes: 64 * 1024 * 1024,
  minTtlMs: 1_000,
  maxTtlMs: 300_000,
  negativeTtlMs: 5_000,
  staleWindowMs: 600_000,
  staleTimeoutMs: 1_500,
  prefetchFraction: 0.1,
};
