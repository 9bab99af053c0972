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

/** Numbers reserved from a counter, both ends included. */
export interface AllocatedRange {
  readonly first: number;
  readonly last: number;
}

/**
 * One write of a commit: a put (whole record) or a delete (tombstone) of one key, with its
 * condition; or an allocation, which reserves numbers of a counter and puts the record that
 * keeps them (e.g. a serial range's idempotency result) in the same transaction, so the range
 * and its record can never be observed apart. Its change-log entry is a put of `key`.
 */
export type StoreOp =
  | {
      readonly op: 'put';
      readonly key: string;
      readonly input: RecordInput;
      readonly cond: WriteCondition;
      /** Overrides the commit's meta in this op's change-log entry (e.g. a system record's reason). */
      readonly meta?: ChangeMeta;
    }
  | { readonly op: 'delete'; readonly key: string; readonly cond: WriteCondition; readonly meta?: ChangeMeta }
  | {
      readonly op: 'allocate';
      readonly key: string;
      readonly counter: string;
      /** 1..1,000,000, as for `allocate`. */
      readonly count: number;
      /** The record to put at `key`, built from the range reserved in this transaction (pure). */
      readonly input: (range: AllocatedRange) => RecordInput;
      readonly cond: WriteCondition;
      readonly meta?: ChangeMeta;
    };

/** One page of a key's change history, newest first. */
export interface HistoryPage {
  /** The key's change-log entries (the same entries changesSince returns), newest first. */
  readonly entries: readonly ChangeEntry[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  readonly next?: number;
}

/**
 * What routes, registries and the resolution chain may do with the store: read. Only the
 * RecordService (write/record-service.ts) holds the writable `Store`.
 */
export interface ReadonlyStore {
  readonly kind: 'lmdb' | 'redis';
  get(key: string): Promise<StoredRecord | undefined>;
  /**
   * The same read without a promise, where the backend can answer in the same tick (LMDB: a
   * memory-mapped lookup); absent where a read is I/O (Redis). Throws what `get` rejects with,
   * before toStoreError.
   */
  getSync?(key: string): StoredRecord | undefined;
  /**
   * The records of many keys, in the order asked, in one store call (LMDB: one synchronous loop;
   * Redis: one pipeline): what a bulk write reads before it plans, instead of a promise or a round
   * trip per key. Optional, so a wrapper or fake without it still works (callers fall back to get).
   */
  getMany?(keys: readonly string[]): Promise<(StoredRecord | undefined)[]>;
  /** Live keys that start with `keyPrefix`, in key order, after the cursor. */
  list(keyPrefix: string, page: { readonly after?: string; readonly limit: number }): Promise<ListPage>;
  /** Change-log entries with seq > `afterSeq`, oldest first. */
  changesSince(afterSeq: number, limit: number): Promise<readonly ChangeEntry[]>;
  /** Highest seq written so far (0 when empty). */
  lastSeq(): Promise<number>;
  /**
   * The change-log entries of one key (puts and deletes, across deletions and re-creations),
   * newest first, with seq < `before` when given; at most `limit` (1..MAX_HISTORY_LIMIT). Served
   * from a per-key index the commit keeps, so a page costs O(limit) whatever the log's size.
   */
  historyOf(key: string, page: { readonly before?: number; readonly limit: number }): Promise<HistoryPage>;
}

export interface Store extends ReadonlyStore {
  /**
   * Writes every op and its change-log entry in ONE durable transaction, all or nothing, and
   * resolves (with the records after each op, in op order) only once that transaction is durable.
   * Ops run in order: a later op on the same key sees the earlier one (its condition names the
   * version the earlier op produced). The change-log entries get consecutive seqs in op order.
   * If any op's condition fails, nothing is written and the promise rejects with that op's
   * IdnError (the same codes as put/delete), its detail extended with `op: <index>`.
   * Many ops per commit are cheap (one transaction, one sync): bulk writes batch into one commit.
   */
  commit(ops: readonly StoreOp[], meta: ChangeMeta): Promise<readonly StoredRecord[]>;
  /**
   * A single-op commit that replaces the whole record. Throws IdnError IDN_ERR_VERSION_MISMATCH
   * when the condition fails, IDN_ERR_ALREADY_EXISTS when `expectAbsent` finds a record or tombstone.
   */
  put(key: string, input: RecordInput, cond: WriteCondition, meta: ChangeMeta): Promise<StoredRecord>;
  /**
   * Leaves a tombstone (no values, version + 1). Same conditions as put; IDN_ERR_NOT_FOUND if the
   * key was never written, IDN_ERR_GONE if it is a tombstone already.
   */
  delete(key: string, cond: WriteCondition, meta: ChangeMeta): Promise<StoredRecord>;
  /** Atomically reserves `count` consecutive numbers of a named counter; numbers are never handed out twice. */
  allocate(counter: string, count: number): Promise<AllocatedRange>;
  /**
   * Change-log entries held in memory for the readers right behind the commits (recent-log.ts),
   * bounded by its capacity: exported as a gauge so a soak can show the bound holds. Optional, so
   * a wrapper or fake without it still works.
   */
  readonly recentLogEntries?: number;
  close(): Promise<void>;
}
