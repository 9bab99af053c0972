import { createHash } from 'node:crypto';
import { IdnError } from '#core/errors/idn-error';
import type { SystemRecordChange } from '#core/records/change-set';
import type { StoredRecord } from '#core/records/types';
import type { AllocatedRange, ReadonlyStore } from '#core/store/store';
import { REG_PREFIX, condFor, keyOf, readState, stateRecord } from './registry-records.ts';

/**
 * Durable idempotency: the first successful result for (scope, key) is stored with the hash of
 * the request body and an expiry, IN THE SAME COMMIT as the effect it describes (the registry
 * adds it to its change set), so no crash can leave the effect without its result. A retry with
 * the same key and body gets that result back without a second effect; the same key with another
 * body is IDN_ERR_IDEMPOTENCY_CONFLICT. Failures are not stored, so a retry after a failure tries
 * again. Two concurrent first calls with one key: both plan, one commits, the other's commit fails
 * on the result record's condition and its next plan finds the winner's result (plan.ts `decide`).
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

/** The outcome of looking a key up: its stored result, or how to store this call's result. */
export type IdempotencyCheck<T> =
  | { readonly replayed: true; readonly result: T }
  | {
      readonly replayed: false;
      /** The result record, for the change set that makes the effect. */
      record(result: T): SystemRecordChange;
      /** The result record of an allocation: the commit reserves the range and stores `result(range)`. */
      recordAllocation(counter: string, count: number, result: (range: AllocatedRange) => T): SystemRecordChange;
    };

export class Idempotency {
  readonly #store: ReadonlyStore;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(store: ReadonlyStore, opts: IdempotencyOptions = {}) {
    this.#store = store;
    this.#ttlMs = opts.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.#now = opts.now ?? Date.now;
  }

  /** When a result recorded now expires. */
  expiresAt(): string {
    return new Date(this.#now() + this.#ttlMs).toISOString();
  }

  expired(expiresAt: string): boolean {
    return Date.parse(expiresAt) <= this.#now();
  }

  async check<T>(scope: string, key: string, hash: string): Promise<IdempotencyCheck<T>> {
    if (key.length === 0 || key.length > 256) {
      throw new IdnError('IDN_ERR_BAD_REQUEST', 'An idempotency key of 1-256 characters is required.');
    }
    const handle = entryHandle(scope, key);
    const before = await this.#store.get(keyOf(handle));
    const stored = this.#live<T>(readState<Entry<T>>(before), hash);
    if (stored !== undefined) return { replayed: true, result: stored };
    const reason = `idempotency ${scope}`;
    const entry = (result: T): Entry<T> => ({ requestHash: hash, result, expiresAt: this.expiresAt() });
    return {
      replayed: false,
      record: (result) => ({
        purpose: 'idempotency-result',
        key: keyOf(handle),
        record: stateRecord(handle, entry(result)),
        cond: condFor(before),
        reason,
      }),
      recordAllocation: (counter, count, result) => ({
        purpose: 'idempotency-result',
        key: keyOf(handle),
        allocate: { counter, count },
        record: (range) => stateRecord(handle, entry(result(range))),
        cond: condFor(before),
        reason,
      }),
    };
  }

  /** The stored result if the entry is unexpired and for the same body; throws on a body mismatch. */
  #live<T>(entry: Entry<T> | undefined, hash: string): T | undefined {
    if (entry === undefined || this.expired(entry.expiresAt)) return undefined;
    if (entry.requestHash !== hash) throw new IdnError('IDN_ERR_IDEMPOTENCY_CONFLICT');
    return entry.result;
  }
}

/** The result an applied idempotency record holds (e.g. the range its commit reserved). */
export const resultOf = <T>(record: StoredRecord | undefined): T => {
  const entry = readState<Entry<T>>(record);
  if (entry === undefined) throw new IdnError('IDN_ERR_INTERNAL', 'The idempotency result was not stored.');
  return entry.result;
};

/** Keys are caller text of any shape: hash them into a fixed, suffix-safe segment. */
export function keyDigest(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

function entryHandle(scope: string, key: string): string {
  return `${REG_PREFIX}/IDEM/${scope}/${keyDigest(key)}`;
}
