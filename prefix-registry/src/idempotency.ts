import { createHash } from 'node:crypto';
import { IdnError } from '../../node/src/errors/idn-error.ts';
import type { Store } from '../../node/src/store/store.ts';
import { REG_PREFIX, keyOf, lostRace, putState, readState } from './registry-records.ts';

/**
 * Durable idempotency: the first successful result for (scope, key) is stored with the hash of
 * the request body and an expiry. A retry with the same key and body gets that result back
 * without a second effect; the same key with another body is IDN_ERR_IDEMPOTENCY_CONFLICT.
 * Failures are not stored, so a retry after a failure tries again.
 *
 * Two concurrent first calls with one key may both run; the first to store wins and both return
 * its result. Effects here are either naturally idempotent (create-if-absent) or cost only a gap
 * (a counter range nobody uses), never a duplicate.
 */

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

interface Entry<T> {
  readonly requestHash: string;
  readonly result: T;
  readonly expiresAt: string;
}

export interface IdempotencyOptions {
  readonly ttlMs?: number;
  readonly now?: () => number;
}

export interface Replayable<T> {
  readonly result: T;
  /** True when the result came from an earlier call with the same key. */
  readonly replayed: boolean;
}

export class Idempotency {
  readonly #store: Store;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(store: Store, opts: IdempotencyOptions = {}) {
    this.#store = store;
    this.#ttlMs = opts.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.#now = opts.now ?? Date.now;
  }

  async run<T>(scope: string, key: string, hash: string, effect: () => Promise<T>): Promise<Replayable<T>> {
    if (key.length === 0 || key.length > 256) {
      throw new IdnError('IDN_ERR_BAD_REQUEST', 'An idempotency key of 1-256 characters is required.');
    }
    const handle = entryHandle(scope, key);
    const before = await this.#store.get(keyOf(handle));
    const stored = this.#live<T>(readState<Entry<T>>(before), hash);
    if (stored !== undefined) return { result: stored, replayed: true };
    const result = await effect();
    const entry: Entry<T> = { requestHash: hash, result, expiresAt: new Date(this.#now() + this.#ttlMs).toISOString() };
    try {
      await putState(this.#store, handle, entry, before, { actor: 'prefix-registry', reason: `idempotency ${scope}` });
      return { result, replayed: false };
    } catch (e) {
      if (!lostRace(e)) throw e;
      // A concurrent call with the same key stored first: its result is the answer for both.
      const winner = this.#live<T>(readState<Entry<T>>(await this.#store.get(keyOf(handle))), hash);
      if (winner === undefined) throw e;
      return { result: winner, replayed: true };
    }
  }

  /** The stored result if the entry is unexpired and for the same body; throws on a body mismatch. */
  #live<T>(entry: Entry<T> | undefined, hash: string): T | undefined {
    if (entry === undefined || Date.parse(entry.expiresAt) <= this.#now()) return undefined;
    if (entry.requestHash !== hash) throw new IdnError('IDN_ERR_IDEMPOTENCY_CONFLICT');
    return entry.result;
  }
}

/** Keys are caller text of any shape: hash them into a fixed, suffix-safe segment. */
function entryHandle(scope: string, key: string): string {
  const digest = createHash('sha256').update(key).digest('base64url');
  return `${REG_PREFIX}/IDEM/${scope}/${digest}`;
}
