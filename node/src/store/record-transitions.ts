import { IdnError, isIdnError } from '../errors/idn-error.ts';
import type { StoredRecord } from '../records/types.ts';
import type {
  AllocatedRange,
  ChangeEntry,
  ChangeMeta,
  ChangeOp,
  RecordInput,
  StoreOp,
  WriteCondition,
} from './store.ts';

/*
 * Backend-independent write rules: every store runs these inside its own atomic section so that
 * LMDB and Redis agree on versions, tombstones and which error a failed condition raises.
 */

const versionOf = (current: StoredRecord | undefined): number => current?.version ?? 0;

function checkExpectedVersion(current: StoredRecord | undefined, expected: number): void {
  const actual = versionOf(current);
  if (expected !== actual) {
    throw new IdnError('IDN_ERR_VERSION_MISMATCH', undefined, { expected, actual });
  }
}

function checkAbsent(current: StoredRecord | undefined): void {
  if (current !== undefined) {
    const deleted = current.deletedAt !== undefined;
    throw new IdnError('IDN_ERR_ALREADY_EXISTS', undefined, { version: current.version, deleted });
  }
}

/** Throws the IdnError a put must fail with, if any. A missing key has version 0 for `expectVersion`. */
export function checkPut(current: StoredRecord | undefined, cond: WriteCondition): void {
  if (cond === undefined) {
    // Re-creating a deleted identifier must be deliberate: the caller has to name the tombstone's
    // version (RecordService does, when the prefix's never-reuse policy allows it).
    if (current?.deletedAt !== undefined) {
      throw new IdnError('IDN_ERR_GONE', undefined, { version: current.version });
    }
    return;
  }
  if ('expectAbsent' in cond) checkAbsent(current);
  else checkExpectedVersion(current, cond.expectVersion);
}

/** Throws the IdnError a delete must fail with, if any; otherwise `current` is live. */
export function checkDelete(current: StoredRecord | undefined, cond: WriteCondition): asserts current is StoredRecord {
  if (current === undefined) throw new IdnError('IDN_ERR_NOT_FOUND');
  if (current.deletedAt !== undefined) {
    throw new IdnError('IDN_ERR_GONE', undefined, { version: current.version });
  }
  if (cond === undefined) return;
  if ('expectAbsent' in cond) checkAbsent(current);
  else checkExpectedVersion(current, cond.expectVersion);
}

/**
 * The record a put leaves. Over a tombstone it is a new record (Handle: a deleted handle may be
 * created again): created now, but at the tombstone's version + 1, so versions and ETags of one
 * key never repeat and the change log keeps the whole life of the name.
 */
export function nextRecord(current: StoredRecord | undefined, input: RecordInput, now: string): StoredRecord {
  const live = current !== undefined && current.deletedAt === undefined;
  return {
    handle: input.handle,
    values: [...input.values],
    version: versionOf(current) + 1,
    createdAt: live ? current.createdAt : now,
    updatedAt: now,
  };
}

export function tombstone(current: StoredRecord, now: string): StoredRecord {
  return {
    handle: current.handle,
    values: [],
    version: current.version + 1,
    createdAt: current.createdAt,
    updatedAt: now,
    deletedAt: now,
  };
}

/**
 * Judges one op against the record it replaces: throws the op's IdnError, else returns the new
 * record. `counterValue` is the current value of an allocate op's counter (0 when never used);
 * the op then reserves the next `count` numbers (see `range`).
 */
export function decideOp(
  current: StoredRecord | undefined,
  op: StoreOp,
  now: string,
  counterValue = 0,
): { readonly op: ChangeOp; readonly record: StoredRecord; readonly range?: AllocatedRange } {
  if (op.op === 'put') {
    checkPut(current, op.cond);
    return { op: 'put', record: nextRecord(current, op.input, now) };
  }
  if (op.op === 'allocate') {
    checkAllocateCount(op.count);
    checkPut(current, op.cond);
    const range = { first: counterValue + 1, last: counterValue + op.count };
    return { op: 'put', record: nextRecord(current, op.input(range), now), range };
  }
  checkDelete(current, op.cond);
  return { op: 'delete', record: tombstone(current, now) };
}

/** The error of op `index` of a commit: same code and message, the index added to the detail. */
export function atOp(e: unknown, index: number): unknown {
  if (!isIdnError(e)) return e;
  const tagged = new IdnError(e.code, e.message, { ...e.detail, op: index });
  tagged.cause = e;
  return tagged;
}

export function changeEntry(
  seq: number,
  key: string,
  op: ChangeOp,
  record: StoredRecord,
  meta: ChangeMeta,
): ChangeEntry {
  const base = {
    seq,
    key,
    op,
    version: record.version,
    previousVersion: record.version - 1,
    at: record.updatedAt,
    actor: meta.actor,
    record,
  };
  // Omitted rather than undefined, so every encoding round-trips the same shape.
  return meta.reason === undefined ? base : { ...base, reason: meta.reason };
}

function checkIntRange(code: 'IDN_ERR_INVALID_QUERY' | 'IDN_ERR_BAD_REQUEST', name: string, n: number, max: number) {
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new IdnError(code, `${name} must be an integer from 1 to ${max}.`, { [name]: n, min: 1, max });
  }
}

export const MAX_LIST_LIMIT = 1000;
export const MAX_HISTORY_LIMIT = 1000;
export const MAX_CHANGES_LIMIT = 10_000;
export const MAX_ALLOCATE_COUNT = 1_000_000;
/** One commit is one transaction (LMDB) or one script (Redis): bounded so it cannot stall the store. */
export const MAX_COMMIT_OPS = 100_000;

export const checkListLimit = (limit: number): void =>
  checkIntRange('IDN_ERR_INVALID_QUERY', 'limit', limit, MAX_LIST_LIMIT);
export const checkChangesLimit = (limit: number): void =>
  checkIntRange('IDN_ERR_INVALID_QUERY', 'limit', limit, MAX_CHANGES_LIMIT);
export const checkHistoryLimit = (limit: number): void =>
  checkIntRange('IDN_ERR_INVALID_QUERY', 'limit', limit, MAX_HISTORY_LIMIT);
export function checkBefore(before: number | undefined): void {
  if (before !== undefined && (!Number.isSafeInteger(before) || before < 1)) {
    throw new IdnError('IDN_ERR_INVALID_QUERY', 'before must be a positive integer (a seq from a previous page).', {
      before,
    });
  }
}
export const checkAllocateCount = (count: number): void =>
  checkIntRange('IDN_ERR_BAD_REQUEST', 'count', count, MAX_ALLOCATE_COUNT);

export function checkCommitSize(ops: readonly StoreOp[]): void {
  if (ops.length > MAX_COMMIT_OPS) {
    throw new IdnError('IDN_ERR_BAD_REQUEST', `A commit holds at most ${MAX_COMMIT_OPS} ops; split it.`, {
      ops: ops.length,
      max: MAX_COMMIT_OPS,
    });
  }
}

export function checkAfterSeq(afterSeq: number): void {
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
    throw new IdnError('IDN_ERR_INVALID_QUERY', 'afterSeq must be a non-negative integer.', { afterSeq });
  }
}
