import { createHash } from 'node:crypto';
import { IdnError, isIdnError } from '../../node/src/errors/idn-error.ts';
import { parseIdentifier } from '../../node/src/identifier/index.ts';
import type { AccessTier, HandleValue, StoredRecord } from '../../node/src/records/types.ts';
import type { ChangeMeta, Store, WriteCondition } from '../../node/src/store/store.ts';

/**
 * The registry keeps its own state (nodes, applications, claims, idempotency results) as
 * ordinary records under the reserved prefix 0.REG, so it shares the store's durability, change
 * log and upward sync. Every such value is 'authority'-only: resolution never shows it to the public.
 */

export const REG_PREFIX = '0.REG';
export const STATE_INDEX = 1;
export const STATE_TYPE = 'IDN_REGISTRY_STATE';

export { naHandleOf } from '../../node/src/authority/homed-prefixes.ts';
export { adminHandleOf } from '../../node/src/records/prefix-admin.ts';

/** Store key of a handle; the parser is the one place keys are made. */
export const keyOf = (handle: string): string => parseIdentifier(handle, 'text').key;

export function jsonValue(index: number, type: string, value: unknown, now: string, access: AccessTier): HandleValue {
  return { index, type, data: { format: 'json', value }, ttl: 86_400, timestamp: now, access };
}

/** A registry state record: one JSON value, authority-only. */
export const stateValues = (state: unknown, now: string): HandleValue[] => [
  jsonValue(STATE_INDEX, STATE_TYPE, state, now, 'authority'),
];

export function readState<T>(record: StoredRecord | undefined): T | undefined {
  if (record === undefined || record.deletedAt !== undefined) return undefined;
  return record.values.find((v) => v.index === STATE_INDEX)?.data.value as T | undefined;
}

/** Writes a state record: created when absent, else replacing exactly the version read. */
export function putState(
  store: Store,
  handle: string,
  state: unknown,
  current: StoredRecord | undefined,
  meta: ChangeMeta,
): Promise<StoredRecord> {
  const cond: WriteCondition = current === undefined ? { expectAbsent: true } : { expectVersion: current.version };
  const now = new Date().toISOString();
  return store.put(keyOf(handle), { handle, values: stateValues(state, now) }, cond, meta);
}

/** True when a conditional write lost to a concurrent writer (re-read and decide again). */
export const lostRace = (e: unknown): boolean =>
  isIdnError(e) && (e.code === 'IDN_ERR_ALREADY_EXISTS' || e.code === 'IDN_ERR_VERSION_MISMATCH');

/** A stable hash of a JSON-able request body: object keys sorted, so field order does not matter. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('base64url');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Node ids and application ids become suffix segments: keep them to a plain, bounded alphabet. */
const SIMPLE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export function checkSimpleId(what: string, id: string): string {
  if (!SIMPLE_ID.test(id)) {
    throw new IdnError('IDN_ERR_BAD_REQUEST', `${what} must be 1-64 characters of A-Z a-z 0-9 . _ - (got "${id}").`);
  }
  return id;
}
