import { createHash } from 'node:crypto';
import { IdnError, isIdnError } from '#core/errors/idn-error';
import { parseIdentifier } from '#core/identifier/index';
import type { ValueInput } from '#core/records/schema';
import type { AccessTier, HandleValue, StoredRecord, ValueData } from '#core/records/types';
import type { SystemRecordChange, SystemRecordPurpose } from '#core/records/change-set';
import type { RecordInput, WriteCondition } from '#core/store/store';

/**
 * The registry keeps its own state (nodes, applications, claims, idempotency results) as
 * ordinary records under the reserved prefix 0.REG, so it shares the store's durability, change
 * log and upward sync. Every such value is 'authority'-only: resolution never shows it to the public.
 * The registry never writes them: it returns them as SystemRecordChanges in the change set the
 * node applies (RecordService), in the same commit as the identifiers they describe.
 */

export const REG_PREFIX = '0.REG';
export const STATE_INDEX = 1;
export const STATE_TYPE = 'IDN_REGISTRY_STATE';

export { naHandleOf } from '#core/authority/homed-prefixes';
export { adminHandleOf } from '#core/records/prefix-admin';

/** Store key of a handle; the parser is the one place keys are made. */
export const keyOf = (handle: string): string => parseIdentifier(handle, 'text').key;

export function jsonValue(index: number, type: string, value: unknown, now: string, access: AccessTier): HandleValue {
  return { index, type, data: { format: 'json', value }, ttl: 86_400, timestamp: now, access };
}

/**
 * A value for a change set, as a client would send it, with its access tier. (The wire schema's
 * static type loses the tier literals, so the tier is attached here, once.)
 */
export function valueInput(index: number, type: string, data: ValueData, access: AccessTier): ValueInput {
  return { index, type, data, access } as unknown as ValueInput;
}

/** A registry state record: one JSON value, authority-only. */
export const stateValues = (state: unknown, now: string): HandleValue[] => [
  jsonValue(STATE_INDEX, STATE_TYPE, state, now, 'authority'),
];

export function readState<T>(record: StoredRecord | undefined): T | undefined {
  if (record === undefined || record.deletedAt !== undefined) return undefined;
  return record.values.find((v) => v.index === STATE_INDEX)?.data.value as T | undefined;
}

/** A registry state record (authority-only JSON at index 1), as the commit should store it. */
export const stateRecord = (handle: string, state: unknown, now = new Date().toISOString()): RecordInput => ({
  handle,
  values: stateValues(state, now),
});

/**
 * The change that stores a state record: created when `current` is absent, else replacing exactly
 * the version read, so a concurrent decision on the same record loses the commit instead of
 * silently overwriting (the caller plans again).
 */
export function stateChange(
  handle: string,
  state: unknown,
  current: StoredRecord | undefined,
  purpose: SystemRecordPurpose,
  reason?: string,
): SystemRecordChange {
  const base = { purpose, key: keyOf(handle), record: stateRecord(handle, state), cond: condFor(current) };
  return reason === undefined ? base : { ...base, reason };
}

export const condFor = (current: StoredRecord | undefined): WriteCondition =>
  current === undefined ? { expectAbsent: true } : { expectVersion: current.version };

/**
 * True when a commit lost to a concurrent writer (a condition on a record the plan read failed):
 * the caller plans again from what is stored now.
 */
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
