import { mkdir } from 'node:fs/promises';
import { open, type Database, type RootDatabase } from 'lmdb';
import { IdnError } from '../errors/idn-error.ts';
import type { StoredRecord } from '../records/types.ts';
import {
  atOp,
  changeEntry,
  checkAfterSeq,
  checkAllocateCount,
  checkBefore,
  checkChangesLimit,
  checkCommitSize,
  checkHistoryLimit,
  checkListLimit,
  decideOp,
} from './record-transitions.ts';
import { RecentLog } from './recent-log.ts';
import { guardLmdbCommitRejections, lmdbCommitCause, settle, toStoreError } from './store-errors.ts';
import type {
  AllocatedRange,
  ChangeEntry,
  ChangeMeta,
  HistoryPage,
  ListPage,
  RecordInput,
  Store,
  StoreOp,
  WriteCondition,
} from './store.ts';

/** 4 GiB of address space to start with; lmdb-js still grows the map by itself when it fills. */
const DEFAULT_MAP_SIZE = 4 * 1024 ** 3;
const LAST_SEQ = 'lastSeq';
/** Every change-log entry up to this seq is in the per-key history index. */
const HISTORY_TO = 'historyIndexedTo';
/** Entries indexed per transaction when a store written before the index existed is opened. */
const BACKFILL_CHUNK = 10_000;

export interface LmdbStoreOptions {
  readonly path: string;
  readonly mapSizeBytes?: number;
}

/** The LMDB store also offers a synchronous read for the resolution hot path. */
export interface LmdbStore extends Store {
  readonly kind: 'lmdb';
  getSync(key: string): StoredRecord | undefined;
  /**
   * Ends the read snapshot of this event turn, so the next read sees every commit so far, also
   * another process's (IDNODE_WORKERS: called before a relayed key is announced).
   */
  refreshReads(): void;
}

interface Dbs {
  readonly root: RootDatabase;
  readonly records: Database<StoredRecord, string>;
  readonly changes: Database<ChangeEntry, number>;
  /** [key, seq] for every change-log entry of key: the per-key history index (values unused). */
  readonly history: Database<number, [string, number]>;
  readonly counters: Database<number, string>;
  readonly meta: Database<number, string>;
}

function openDbs(opts: LmdbStoreOptions): Dbs {
  const root = open({
    path: opts.path,
    mapSize: opts.mapSizeBytes ?? DEFAULT_MAP_SIZE,
    // Durability: lmdb-js defaults to overlappingSync on Linux, where a write promise resolves at
    // commit and the fsync happens later (see lmdb's writer.cpp: the txn begins with MDB_NOSYNC).
    // Turning it off makes every commit fsync data and meta pages before the promise resolves, so
    // an acknowledged write survives power loss. Concurrent writes are still batched into one
    // transaction per event turn, so the fsync cost is shared. noSync/noMetaSync stay off.
    overlappingSync: false,
    noSync: false,
    noMetaSync: false,
    maxDbs: 8,
  });
  return {
    root,
    records: root.openDB<StoredRecord, string>({ name: 'records' }),
    changes: root.openDB<ChangeEntry, number>({ name: 'changes' }),
    history: root.openDB<number, [string, number]>({ name: 'history' }),
    counters: root.openDB<number, string>({ name: 'counters' }),
    meta: root.openDB<number, string>({ name: 'meta' }),
  };
}

export async function openLmdbStore(opts: LmdbStoreOptions): Promise<LmdbStore> {
  guardLmdbCommitRejections();
  try {
    await mkdir(opts.path, { recursive: true });
    const store = new LmdbStoreImpl(openDbs(opts));
    await store.indexHistory();
    return store;
  } catch (e) {
    throw toStoreError(e);
  }
}

class LmdbStoreImpl implements LmdbStore {
  readonly kind = 'lmdb';
  readonly #dbs: Dbs;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #recent = new RecentLog();
  #closed = false;

  constructor(dbs: Dbs) {
    this.#dbs = dbs;
  }

  get recentLogEntries(): number {
    return this.#recent.size;
  }

  getSync(key: string): StoredRecord | undefined {
    this.#assertOpen();
    return this.#dbs.records.get(key);
  }

  refreshReads(): void {
    if (!this.#closed) this.#dbs.root.resetReadTxn();
  }

  get(key: string): Promise<StoredRecord | undefined> {
    return settle(() => this.getSync(key));
  }

  getMany(keys: readonly string[]): Promise<(StoredRecord | undefined)[]> {
    return settle(() => keys.map((k) => this.getSync(k)));
  }

  commit(ops: readonly StoreOp[], meta: ChangeMeta): Promise<readonly StoredRecord[]> {
    return this.#commit(ops, meta, true);
  }

  async put(key: string, input: RecordInput, cond: WriteCondition, meta: ChangeMeta): Promise<StoredRecord> {
    const [record] = await this.#commit([{ op: 'put', key, input, cond }], meta, false);
    return record!;
  }

  async delete(key: string, cond: WriteCondition, meta: ChangeMeta): Promise<StoredRecord> {
    const [record] = await this.#commit([{ op: 'delete', key, cond }], meta, false);
    return record!;
  }

  list(keyPrefix: string, page: { readonly after?: string; readonly limit: number }): Promise<ListPage> {
    return settle(() => {
      this.#assertOpen();
      checkListLimit(page.limit);
      return this.#listPage(keyPrefix, page.after, page.limit);
    });
  }

  allocate(counter: string, count: number): Promise<AllocatedRange> {
    try {
      checkAllocateCount(count);
    } catch (e) {
      return Promise.reject(toStoreError(e));
    }
    return this.#write(() => {
      const before = this.#dbs.counters.get(counter) ?? 0;
      this.#dbs.counters.putSync(counter, before + count);
      return { first: before + 1, last: before + count };
    });
  }

  changesSince(afterSeq: number, limit: number): Promise<readonly ChangeEntry[]> {
    return settle(() => {
      this.#assertOpen();
      checkAfterSeq(afterSeq);
      checkChangesLimit(limit);
      const recent = this.#recent.page(afterSeq, limit, this.#dbs.meta.get(LAST_SEQ) ?? 0);
      if (recent !== undefined) return recent;
      return Array.from(this.#dbs.changes.getRange({ start: afterSeq + 1, limit }), ({ value }) => value);
    });
  }

  lastSeq(): Promise<number> {
    return settle(() => {
      this.#assertOpen();
      return this.#dbs.meta.get(LAST_SEQ) ?? 0;
    });
  }

  historyOf(key: string, page: { readonly before?: number; readonly limit: number }): Promise<HistoryPage> {
    return settle(() => {
      this.#assertOpen();
      checkHistoryLimit(page.limit);
      checkBefore(page.before);
      const { history, changes } = this.#dbs;
      // Reverse range from just below `before` down to (key, 0), exclusive: newest first.
      const start: [string, number] = [key, (page.before ?? Number.MAX_SAFE_INTEGER) - 1];
      const seqs = Array.from(
        history.getKeys({ start, end: [key, 0], reverse: true, limit: page.limit + 1 }),
        (k) => k[1],
      );
      const entries = seqs.slice(0, page.limit).flatMap((seq) => changes.get(seq) ?? []);
      const last = entries.at(-1);
      return seqs.length > page.limit && last !== undefined ? { entries, next: last.seq } : { entries };
    });
  }

  /**
   * Adds the entries a store written before the history index existed lacks, in chunks (once:
   * afterwards every commit indexes its own entries). Runs when the store opens.
   */
  async indexHistory(): Promise<void> {
    const { changes, history, meta } = this.#dbs;
    for (;;) {
      const done = await this.#write(() => {
        const from = meta.get(HISTORY_TO) ?? 0;
        const last = meta.get(LAST_SEQ) ?? 0;
        if (from >= last) return true;
        let to = from;
        for (const { key, value } of changes.getRange({ start: from + 1, limit: BACKFILL_CHUNK })) {
          history.putSync([value.key, key], 1);
          to = key;
        }
        meta.putSync(HISTORY_TO, to);
        return to >= last;
      });
      if (done) return;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#pending);
    try {
      await this.#dbs.root.close();
    } catch (e) {
      throw toStoreError(e);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new IdnError('IDN_ERR_STORE_UNAVAILABLE', 'The store is closed.');
  }

  /**
   * Runs `fn` as a child transaction of the next batched write transaction: a throw (a failed
   * condition) rolls back only this call, and the promise resolves after the commit has synced.
   * (Child transactions need lmdb-js caching and useWritemap off, which are the defaults kept here.)
   */
  #write<T>(fn: () => T): Promise<T> {
    try {
      this.#assertOpen();
    } catch (e) {
      return Promise.reject(toStoreError(e));
    }
    const done = this.#dbs.root.childTransaction(fn).catch(async (e: unknown) => {
      throw toStoreError(await lmdbCommitCause(e));
    });
    this.#pending.add(done);
    const forget = (): void => void this.#pending.delete(done);
    done.then(forget, forget);
    return done;
  }

  /**
   * Every op, its change-log entry and the seq bump in one child transaction of the next batched
   * write transaction: a failed condition throws and rolls back the whole commit, nothing else.
   * Reads inside the transaction see its earlier writes, so ops on one key apply in order.
   */
  #commit(ops: readonly StoreOp[], meta: ChangeMeta, tagErrors: boolean): Promise<StoredRecord[]> {
    try {
      checkCommitSize(ops);
    } catch (e) {
      return Promise.reject(toStoreError(e));
    }
    if (ops.length === 0) return Promise.resolve([]);
    const written = this.#write(() => {
      const { records, changes, counters, history, meta: metaDb } = this.#dbs;
      const now = new Date().toISOString();
      let seq = metaDb.get(LAST_SEQ) ?? 0;
      const indexedToHere = (metaDb.get(HISTORY_TO) ?? 0) === seq;
      const out: StoredRecord[] = [];
      const entries: ChangeEntry[] = [];
      ops.forEach((op, i) => {
        let decided;
        try {
          const counter = op.op === 'allocate' ? (counters.get(op.counter) ?? 0) : 0;
          decided = decideOp(records.get(op.key), op, now, counter);
        } catch (e) {
          throw tagErrors ? atOp(e, i) : e;
        }
        if (op.op === 'allocate') counters.putSync(op.counter, decided.range!.last);
        seq += 1;
        records.putSync(op.key, decided.record);
        const entry = changeEntry(seq, op.key, decided.op, decided.record, op.meta ?? meta);
        changes.putSync(seq, entry);
        history.putSync([op.key, seq], 1);
        out.push(decided.record);
        entries.push(entry);
      });
      metaDb.putSync(LAST_SEQ, seq);
      // The index is complete up to here only if it was before this commit (else a backfill is due).
      if (indexedToHere) metaDb.putSync(HISTORY_TO, seq);
      return { out, entries };
    });
    // Kept once durable, for the readers right behind the log (audit, sync sender).
    return written.then(({ out, entries }) => {
      this.#recent.add(entries);
      return out;
    });
  }

  /** Starts the cursor at `after` (or the prefix), so a page costs O(limit + tombstones skipped). */
  #listPage(keyPrefix: string, after: string | undefined, limit: number): ListPage {
    const start = after !== undefined && after > keyPrefix ? after : keyPrefix;
    const keys: string[] = [];
    for (const { key, value } of this.#dbs.records.getRange({ start })) {
      if (typeof key !== 'string' || !key.startsWith(keyPrefix)) break;
      if (key === after || value.deletedAt !== undefined) continue;
      if (keys.length === limit) return { keys, next: keys[keys.length - 1] };
      keys.push(key);
    }
    return { keys };
  }
}
