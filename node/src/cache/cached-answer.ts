import type { DependsOn, Outcome } from '../records/outcome.ts';
import { RenderMemo } from '../records/render-memo.ts';
import type { StoredRecord } from '../records/types.ts';
import type { CachePolicy } from './cache-policy.ts';

/** What the resolution cache holds for one key: a found / not-found outcome and its life span. */
export interface CachedAnswer {
  readonly outcome: Outcome & { kind: 'found' | 'not-found' };
  readonly freshUntil: number;
  readonly staleUntil: number;
  readonly ttlMs: number;
  readonly bytes: number;
  /** The other records the answer was built from (indexed by the cache, so their change drops it). */
  readonly dependsOn: DependsOn;
}

const NONE: DependsOn = [];

/** A found record lives min(value TTLs, the upstream's hint), clamped to the policy's bounds. */
function recordTtlMs(record: StoredRecord, hint: number | undefined, policy: CachePolicy): number {
  let ttl = hint ?? Infinity;
  for (const v of record.values) if (v.ttl < ttl) ttl = v.ttl;
  const ms = ttl === Infinity ? policy.maxTtlMs : ttl * 1000;
  return Math.min(policy.maxTtlMs, Math.max(policy.minTtlMs, ms));
}

/** A negative answer lives the policy's negative TTL, or less when the node that answered says so. */
const negativeTtlMs = (hint: number | undefined, policy: CachePolicy): number =>
  hint === undefined ? policy.negativeTtlMs : Math.min(policy.negativeTtlMs, hint * 1000);

/*
 * Bytes an entry keeps alive, heap and buffers, fitted to what node/test/cache/entry-size.test.ts
 * measures through the real answer path (Node 24, x64): a fixed part (the entry, its outcome, the
 * memo and its rendered body object, the admission policy's node, the index slots) and about 2.75
 * bytes per character of the record's JSON (the decoded record's objects and strings, plus its
 * serialised body kept in the memo). The cache's byte bound is only meaningful if this is honest.
 * Refitted when the bodies became strings (no buffer object each) and the walk-up's prefix record
 * key became shared (measured 2,608 / 6,094 / 531-738 B for the three cases of the test).
 */
const ENTRY_FIXED_BYTES = 1_260;
/** A "not found" without a tombstone: the entry, its outcome, memo and error body text only. */
const NEGATIVE_FIXED_BYTES = 380;
const BYTES_PER_RECORD_CHAR = 2.75;
const BYTES_PER_DEPENDENCY = 64;

function sizeOf(outcome: CachedAnswer['outcome'], key: string, dependsOn: DependsOn): number {
  const record = outcome.kind === 'found' ? outcome.record : outcome.gone;
  let recordChars = record === undefined ? 0 : JSON.stringify(record).length;
  // The GS1 levels above a found record are held with it (its linkset lists their links).
  if (outcome.kind === 'found') for (const l of outcome.levels ?? []) recordChars += JSON.stringify(l).length;
  let depBytes = 0;
  for (const d of dependsOn) depBytes += BYTES_PER_DEPENDENCY + d.length * 2;
  const fixed = record === undefined ? NEGATIVE_FIXED_BYTES : ENTRY_FIXED_BYTES;
  return Math.ceil(fixed + key.length * 2 + recordChars * BYTES_PER_RECORD_CHAR + depBytes);
}

export function cacheable(outcome: Outcome): outcome is CachedAnswer['outcome'] {
  return outcome.kind === 'found' || outcome.kind === 'not-found';
}

export function toCachedAnswer(
  key: string,
  outcome: CachedAnswer['outcome'],
  policy: CachePolicy,
  now: number,
): CachedAnswer {
  const ttlMs =
    outcome.kind === 'found'
      ? recordTtlMs(outcome.record, outcome.cacheTtl, policy)
      : negativeTtlMs(outcome.cacheTtl, policy);
  const dependsOn = outcome.dependsOn ?? NONE;
  return {
    // Later hits report the cache as their source; the miss that filled it reports the backend.
    // A cached "not found" gets a memo of its own: its body is built once, then each hit is a lookup.
    outcome:
      outcome.kind === 'found' || outcome.gone !== undefined
        ? { ...outcome, source: 'cache' }
        : { ...outcome, source: 'cache', memo: new RenderMemo() },
    ttlMs,
    freshUntil: now + ttlMs,
    staleUntil: now + ttlMs + policy.staleWindowMs,
    bytes: sizeOf(outcome, key, dependsOn),
    dependsOn,
  };
}
