import { naHandleOf, NA_PREFIX_KEY } from '../authority/homed-prefixes.ts';
import { IdnError } from '../errors/idn-error.ts';
import { identifierKey, type ParsedIdentifier } from '../identifier/index.ts';
import { isLive, type HandleValue, type StoredRecord } from '../records/types.ts';
import { compilePattern } from '../records/suffix-pattern.ts';
import { TEMPLATE_SUFFIX, TEMPLATE_TYPE, templatePatternOf, WALKUP_TYPE } from '../records/config-values.ts';
import { parseWalkUp } from '../records/config-values.ts';
import type { ReadonlyStore } from '../store/store.ts';
import {
  checkAgainst,
  isMetadataSchema,
  metadataSchemaNames,
  valueTypeOf,
  type SchemaFailure,
} from '../passport/metadata-schemas.ts';

/**
 * The check a write passes before it reaches the store (RecordService runs it on every write):
 * - a prefix record `0.NA/<prefix>` may name metadata templates in `METADATA_SCHEMA` values: the
 *   string `battery-passport`, or `{"schema": "battery-passport", "kinds": ["product"]}`;
 * - a record under that prefix whose KIND is one of `kinds` (default: product; no KIND counts as
 *   product) must then carry a json value of the schema's type (BATTERY_PASSPORT) that satisfies
 *   it; otherwise the write is refused with 422 IDN_ERR_METADATA_SCHEMA listing every failing path.
 *   `<prefix>/ADMIN` and `TEMPLATE.*` records are exempt (templates hold placeholders, not data).
 *   Records already stored are not re-checked when the requirement is added.
 * - TEMPLATE and WALKUP values are checked here too, so resolution never meets a bad one.
 */

export const METADATA_SCHEMA_TYPE = 'METADATA_SCHEMA';

export interface SchemaRequirement {
  readonly schema: string;
  readonly kinds: readonly string[];
}

/**
 * `read` is how the writer sees records while it plans (RecordService passes its view: what the
 * store holds plus what the same change set writes before), so a batch of thousands under one
 * prefix reads its prefix record once, not once per identifier.
 */
export type WriteCheck = (
  id: ParsedIdentifier,
  values: readonly HandleValue[],
  read?: (key: string) => Promise<StoredRecord | undefined>,
) => Promise<void>;

const upper = (v: HandleValue): string => v.type.toUpperCase();

/** Reads a METADATA_SCHEMA value; throws IDN_ERR_UNKNOWN_METADATA_SCHEMA for a name not shipped. */
export function requirementOf(v: HandleValue): SchemaRequirement {
  const d = v.data.value;
  const obj = typeof d === 'string' ? { schema: d } : (d as { schema?: unknown; kinds?: unknown } | null);
  const schema = obj?.schema;
  const kinds = obj?.kinds ?? ['product'];
  if (typeof schema !== 'string' || !isMetadataSchema(schema)) {
    throw new IdnError(
      'IDN_ERR_UNKNOWN_METADATA_SCHEMA',
      `METADATA_SCHEMA at index ${v.index} names ${JSON.stringify(schema)}; shipped schemas: ${metadataSchemaNames().join(', ')}.`,
      { index: v.index, known: metadataSchemaNames() },
    );
  }
  if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => typeof k === 'string')) {
    throw new IdnError(
      'IDN_ERR_INVALID_VALUE',
      `METADATA_SCHEMA at index ${v.index}: "kinds" must be a list of KIND names.`,
    );
  }
  return { schema, kinds: kinds.map((k: string) => k.toLowerCase()) };
}

function checkResolutionConfig(id: ParsedIdentifier, values: readonly HandleValue[]): void {
  const isTemplate = id.suffix.toUpperCase().startsWith(TEMPLATE_SUFFIX);
  for (const v of values) {
    const t = upper(v);
    if (t === WALKUP_TYPE) parseWalkUp(v);
    if (t !== TEMPLATE_TYPE) continue;
    if (!isTemplate) {
      throw new IdnError(
        'IDN_ERR_INVALID_TEMPLATE',
        `A TEMPLATE value belongs on a template record (${id.prefix}/${TEMPLATE_SUFFIX}<name>), not on ${id.handle}.`,
      );
    }
    const pattern = templatePatternOf(v);
    if (pattern === undefined) {
      throw new IdnError(
        'IDN_ERR_INVALID_TEMPLATE',
        `TEMPLATE at index ${v.index} must be {"pattern": "..."} or a string.`,
      );
    }
    compilePattern(pattern);
  }
}

function kindOf(values: readonly HandleValue[]): string {
  const k = values.find((v) => upper(v) === 'KIND')?.data.value;
  return typeof k === 'string' ? k.toLowerCase() : 'product';
}

/** Every failure of a record's values against one requirement. */
export function failuresFor(req: SchemaRequirement, values: readonly HandleValue[]): SchemaFailure[] {
  const type = valueTypeOf(req.schema);
  const carriers = values.filter((v) => upper(v) === type);
  if (carriers.length === 0) {
    return [
      { path: `/${type}`, message: `a ${type} value (format json) is required by METADATA_SCHEMA ${req.schema}` },
    ];
  }
  return carriers.flatMap((v) => checkAgainst(req.schema, v.data.value, v.index));
}

const exempt = (id: ParsedIdentifier): boolean => {
  const s = id.suffix.toUpperCase();
  return s === 'ADMIN' || s.startsWith(TEMPLATE_SUFFIX);
};

export function createMetadataWriteCheck(store: ReadonlyStore): WriteCheck {
  return async (id, values, read = (key) => store.get(key)) => {
    checkResolutionConfig(id, values);
    if (id.prefixKey === NA_PREFIX_KEY) {
      for (const v of values) if (upper(v) === METADATA_SCHEMA_TYPE) requirementOf(v);
      return;
    }
    if (exempt(id)) return;
    // id.prefix is parsed already: its prefix record's key needs no second parse.
    const na = await read(identifierKey(naHandleOf(id.prefix)));
    if (!isLive(na)) return;
    const kind = kindOf(values);
    const failures: SchemaFailure[] = [];
    const schemas: string[] = [];
    for (const v of na.values) {
      if (upper(v) !== METADATA_SCHEMA_TYPE) continue;
      const req = requirementOf(v);
      if (!req.kinds.includes(kind)) continue;
      schemas.push(req.schema);
      failures.push(...failuresFor(req, values));
    }
    if (failures.length > 0) {
      throw new IdnError(
        'IDN_ERR_METADATA_SCHEMA',
        `${id.handle} does not satisfy ${schemas.join(', ')}: ${failures
          .slice(0, 5)
          .map((f) => `${f.path} ${f.message}`)
          .join('; ')}${failures.length > 5 ? '; …' : ''}`,
        { schemas, failures },
      );
    }
  };
}
