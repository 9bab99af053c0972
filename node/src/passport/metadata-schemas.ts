import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';

/**
 * Metadata templates (元数据模板): named JSON schemas a prefix may require its records to satisfy,
 * shipped as node/src/passport/schemas/<name>.json. A schema `battery-passport` applies to the
 * json data of the record's `BATTERY_PASSPORT` value (the name upper-cased, "-" -> "_").
 * Each schema is compiled once, on first use, by one Ajv instance that knows all of them (so
 * battery-passport can $ref carbon-label).
 */

const SCHEMA_DIR = join(import.meta.dirname, 'schemas');

// ajv-formats is CommonJS: its default export arrives as module.exports or as { default }.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (ajv: Ajv) => Ajv;

export interface SchemaFailure {
  /** JSON pointer from the value type, e.g. `/BATTERY_PASSPORT/ratedCapacity/value`. */
  readonly path: string;
  readonly message: string;
  /** The index of the failing value, when there is one. */
  readonly valueIndex?: number;
}

function loadSchemas(): Map<string, Record<string, unknown>> {
  const schemas = new Map<string, Record<string, unknown>>();
  for (const file of readdirSync(SCHEMA_DIR)) {
    if (!file.endsWith('.json')) continue;
    schemas.set(
      basename(file, '.json'),
      JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as Record<string, unknown>,
    );
  }
  return schemas;
}

const SCHEMAS = loadSchemas();
const compiled = new Map<string, ValidateFunction>();
let ajvInstance: Ajv | undefined;

/** Built at the first check, not at import: checking every schema against the meta-schema is start-up time. */
function schemaAjv(): Ajv {
  if (ajvInstance !== undefined) return ajvInstance;
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  for (const [name, schema] of SCHEMAS) ajv.addSchema(schema, `${name}.json`);
  ajvInstance = ajv;
  return ajv;
}

export const metadataSchemaNames = (): string[] => [...SCHEMAS.keys()].sort();

export const isMetadataSchema = (name: string): boolean => SCHEMAS.has(name);

/** The value type a schema governs: battery-passport -> BATTERY_PASSPORT. */
export const valueTypeOf = (schema: string): string => schema.toUpperCase().replaceAll('-', '_');

function validatorFor(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (v === undefined) {
    v = schemaAjv().getSchema(`${name}.json`);
    if (v === undefined) throw new Error(`metadata schema ${name} is not shipped`);
    compiled.set(name, v);
  }
  return v;
}

function describe(e: ErrorObject): { at: string; message: string } {
  // A missing property fails at its parent; name the property itself, which is where the fix goes.
  if (e.keyword === 'required') {
    const p = (e.params as { missingProperty: string }).missingProperty;
    return { at: `${e.instancePath}/${p}`, message: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    const p = (e.params as { additionalProperty: string }).additionalProperty;
    return { at: `${e.instancePath}/${p}`, message: 'is not a field of this schema' };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return { at: e.instancePath, message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}` };
  }
  return { at: e.instancePath, message: e.message ?? 'is not valid' };
}

/** Every failure of `data` against the schema, as paths under the value type. */
export function checkAgainst(schema: string, data: unknown, valueIndex?: number): SchemaFailure[] {
  const validate = validatorFor(schema);
  if (validate(data)) return [];
  const root = `/${valueTypeOf(schema)}`;
  return (validate.errors ?? []).map((e) => {
    const d = describe(e);
    return { path: `${root}${d.at}`, message: d.message, ...(valueIndex === undefined ? {} : { valueIndex }) };
  });
}
