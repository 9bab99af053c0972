import type { HandleValue, StoredRecord } from '../records/types.ts';

/**
 * The store contract every backend (LMDB now, Redis later) implements. Keys are the parser's
 * lookup keys (ASCII-lowercased, NFC). A promise resolves only after the change is durable.
 */

/** When a write may happen: against an exact version (optimistic concurrency) or only if the key was never used. */
export type WriteCondition = { readonly expectVersion: number } | { readonly expectAbsent: true } | undefined;

/** Who made a change and why: kept in the change log (audit, upward sync). */
export interface ChangeMeta {
  readonly actor: string;
  readonly reason?: string;
}

export interface RecordInput {
  readonly handle: string;
  readonly values: readonly HandleValue[];
}

export type ChangeOp = 'put' | 'delete';

/** One entry of the durable change log; `seq` is gap-free and increasing. */
export interface ChangeEntry {
  readonly seq: number;
  readonly key: string;
  readonly op: ChangeOp;
  readonly version: number;
  readonly previousVersion: number;
  readonly at: string;
  readonly actor: string;
  readonly reason?: string;
  /** The record after the change (a tombstone for 'delete'). */
  readonly record: StoredRecord;
}

export interface ListPage {
  readonly keys: readonly string[];
  /** Pass as `after` for the next page; absent on the last page. */
  readonly next?: string;
}

export interface Store {
  readonly kind: 'lmdb' | 'redis';
  get(key: string): Promise<StoredRecord | undefined>;
  /**
   * Replaces the whole record atomically (all values at once). Throws IdnError
   * IDN_ERR_VERSION_MISMATCH when the condition fails, IDN_ERR_ALREADY_EXISTS when
   * `expectAbsent` finds a record or tombstone.
   */
  put(key: string, input: RecordInput, cond: WriteCondition, meta: ChangeMeta): Promise<StoredRecord>;
  /** Leaves a tombstone (410 Gone afterwards). Same conditions as put; IDN_ERR_NOT_FOUND if nothing live. */
  delete(key: string, cond: WriteCondition, meta: ChangeMeta): Promise<StoredRecord>;
  /** Live keys that start with `keyPrefix`, in key order, after the cursor. */
  list(keyPrefix: string, page: { readonly after?: string; readonly limit: number }): Promise<ListPage>;
  /** Atomically reserves `count` consecutive numbers of a named counter; numbers are never handed out twice. */
  allocate(counter: string, count: number): Promise<{ readonly first: number; readonly last: number }>;
  /** Change-log entries with seq > `afterSeq`, oldest first. */
  changesSince(afterSeq: number, limit: number): Promise<readonly ChangeEntry[]>;
  /** Highest seq written so far (0 when empty). */
  lastSeq(): Promise<number>;
  close(): Promise<void>;
}
