import { IdnError, isIdnError } from '../errors/idn-error.ts';
import { isSystemKey, type SystemRecordChange } from '../records/change-set.ts';
import type { StoreOp } from '../store/store.ts';

/** Shared by RecordService.apply and applyEach: how change sets become store ops and errors. */

/** The same error with more detail (which change or system record of a set it belongs to). */
export function tagged(e: IdnError, extra: Record<string, unknown>): IdnError {
  const t = new IdnError(e.code, e.message, { ...e.detail, ...extra });
  t.cause = e;
  return t;
}

/** Condition failures that mean another writer won: re-read and plan again. */
export const raceCodes: ReadonlySet<string> = new Set(['IDN_ERR_VERSION_MISMATCH', 'IDN_ERR_ALREADY_EXISTS']);

export function systemOp(s: SystemRecordChange, actor: string): StoreOp {
  if (!isSystemKey(s.key)) {
    throw new IdnError('IDN_ERR_INTERNAL', `A system record must live under 0.reg/ or 0.sync/, not ${s.key}.`);
  }
  const meta = s.reason === undefined ? {} : { meta: { actor, reason: s.reason } };
  if (s.allocate !== undefined) {
    const { counter, count } = s.allocate;
    return { op: 'allocate', key: s.key, counter, count, input: s.record, cond: s.cond, ...meta };
  }
  return s.record === null
    ? { op: 'delete', key: s.key, cond: s.cond, ...meta }
    : { op: 'put', key: s.key, input: s.record, cond: s.cond, ...meta };
}

/** The op index a store error names (`detail.op`), or -1. */
export const failedOp = (e: IdnError): number => (typeof e.detail?.op === 'number' ? e.detail.op : -1);

/** The store's error without its op tag: callers know changes and system records, not ops. */
export const untagged = (e: IdnError): IdnError => (e.cause instanceof IdnError ? e.cause : e);

/**
 * A store outage met by a write, worded for it. The table's message is neutral because reads meet
 * outages too. Before the commit (reading what the change applies to) the change was not made; at
 * the commit its fate is unknown (a Redis timeout may follow a commit that happened), so the caller
 * reads before retrying.
 */
export function writeOutage(e: unknown, at: 'before-commit' | 'commit'): unknown {
  if (!isIdnError(e) || e.code !== 'IDN_ERR_STORE_UNAVAILABLE' || e.message !== e.spec.message) return e;
  const fate =
    at === 'commit'
      ? 'the change was not confirmed: read the identifier before you retry'
      : 'the change was not made; retry later';
  const w = new IdnError(e.code, `The store is unavailable; ${fate}.`, e.detail);
  w.cause = e.cause ?? e;
  return w;
}
