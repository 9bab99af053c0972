import { IdnError } from '../errors/idn-error.ts';
import { MAX_INDEX, MAX_VALUES_PER_RECORD } from './schema.ts';
import { ACCESS_TIERS } from './types.ts';

/**
 * The structural rules of the wire schema (records/schema.ts ValueInput), for values that did not
 * come through an HTTP body schema: batch lines, import files, synced entries. PUT's body schema
 * refuses the same things with the same code (IDN_ERR_INVALID_RECORD) before a handler runs, so
 * every write path agrees on a value with index 0, a type with a space or an unknown access tier.
 */

const TYPE = /^[A-Za-z0-9_./:-]{1,64}$/;

const isInt = (v: unknown, lo: number, hi: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

function problem(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'must be an object {index, type, data}';
  const o = v as Record<string, unknown>;
  if (!isInt(o.index, 1, MAX_INDEX)) return `index must be a whole number from 1 to ${MAX_INDEX}`;
  if (typeof o.type !== 'string' || !TYPE.test(o.type)) return 'type must be 1-64 of A-Z a-z 0-9 _ . / : -';
  const d = o.data as { format?: unknown } | null | undefined;
  const dataOk =
    typeof d === 'string' ||
    (d !== null &&
      typeof d === 'object' &&
      typeof d.format === 'string' &&
      d.format.length >= 1 &&
      d.format.length <= 32);
  if (!dataOk) return 'data must be a string or {format (1-32 characters), value}';
  if (o.ttl !== undefined && !isInt(o.ttl, 0, MAX_INDEX)) return `ttl must be a whole number from 0 to ${MAX_INDEX}`;
  if (o.timestamp !== undefined && typeof o.timestamp !== 'string') return 'timestamp must be a string';
  if (o.access !== undefined && !(ACCESS_TIERS as readonly unknown[]).includes(o.access)) {
    return `access must be one of ${ACCESS_TIERS.join(', ')}`;
  }
  return undefined;
}

/** Throws IDN_ERR_INVALID_RECORD naming the first value that breaks the wire schema. */
export function checkValueShapes(values: readonly unknown[], pathPrefix = 'values'): void {
  if (values.length > MAX_VALUES_PER_RECORD) {
    throw new IdnError('IDN_ERR_INVALID_RECORD', `${pathPrefix}: at most ${MAX_VALUES_PER_RECORD} values per record.`, {
      path: pathPrefix,
    });
  }
  values.forEach((v, i) => {
    const why = problem(v);
    if (why !== undefined) {
      const path = `${pathPrefix}[${i}]`;
      throw new IdnError('IDN_ERR_INVALID_RECORD', `${path}: ${why}.`, { path });
    }
  });
}
