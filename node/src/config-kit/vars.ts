import { Type, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Builders for configuration variables. Every variable is a string in the environment; its schema
 * says, besides the check, how to talk about it to a person: the shape expected ("an integer
 * 1-65535"), what it means, its default, and whether its value may be echoed back.
 */
export interface VarDoc {
  readonly description: string;
  /** The value used when the variable is unset (an empty value counts as unset). */
  readonly default?: string;
  /** For the variables table, when the default depends on other settings. */
  readonly defaultText?: string;
  /** Never echoed back and never a flag: argv is visible to every user of the machine. */
  readonly secret?: boolean;
}

interface VarMeta {
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly string[];
  readonly 'x-expected'?: string;
  readonly 'x-default-text'?: string;
  readonly 'x-secret'?: boolean;
}

const options = (doc: VarDoc, expected?: string) => ({
  description: doc.description,
  ...(doc.default === undefined ? {} : { default: doc.default }),
  ...(doc.defaultText === undefined ? {} : { 'x-default-text': doc.defaultText }),
  ...(doc.secret ? { 'x-secret': true } : {}),
  ...(expected === undefined ? {} : { 'x-expected': expected }),
});

/** A decimal integer in [min, max]. */
export function intVar(min: number, max: number, doc: VarDoc) {
  const digits = Type.String({ pattern: '^[0-9]{1,10}$', ...options(doc, `an integer ${min}-${max}`) });
  return Type.Refine(digits, (v) => Number(v) >= min && Number(v) <= max);
}

/** One of a fixed set of words; a problem names them all. */
export function enumVar<const V extends string[]>(values: readonly [...V], doc: VarDoc) {
  return Type.Enum(values, options(doc));
}

/** Free text checked by a pattern and length; `expected` describes the shape to a person. */
export function textVar(
  expected: string,
  doc: VarDoc,
  check: { readonly pattern?: string; readonly minLength?: number; readonly maxLength?: number } = {},
) {
  return Type.String({ minLength: 1, ...check, ...options(doc, expected) });
}

/** host:port with a port 1-65535. */
export function hostPortVar(doc: VarDoc) {
  const text = Type.String({
    pattern: '^[A-Za-z0-9._:\\[\\]-]{1,255}:[0-9]{1,5}$',
    ...options(doc, 'host:port with a port 1-65535, e.g. 127.0.0.1:50051'),
  });
  return Type.Refine(text, (v) => {
    const port = Number(v.slice(v.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  });
}

const meta = (schema: TSchema): VarMeta => schema;

export const isSecret = (schema: TSchema): boolean => meta(schema)['x-secret'] === true;

export function defaultOf(schema: TSchema): string | undefined {
  const d = meta(schema).default;
  return typeof d === 'string' ? d : undefined;
}

export const descriptionOf = (schema: TSchema): string => meta(schema).description ?? '';

/** The default as the variables table shows it. */
export const defaultTextOf = (schema: TSchema): string =>
  meta(schema)['x-default-text'] ?? (defaultOf(schema) === undefined ? 'unset' : `${defaultOf(schema)}`);

/** What a value must look like, in words: "one of: lru, tinylfu", "an integer 1-65535". */
export function expectedOf(schema: TSchema): string {
  const m = meta(schema);
  if (m.enum !== undefined) return `one of: ${m.enum.join(', ')}`;
  return m['x-expected'] ?? 'a valid value';
}

/** A value as a problem may show it: secrets never, userinfo of a URL never. */
export function shown(schema: TSchema, value: string): string {
  if (isSecret(schema)) return `${value.length} characters, value hidden`;
  return JSON.stringify(value.replace(/\/\/[^/@\s]*@/, '//***@'));
}

/** undefined when the value fits, else the problem text that follows the variable's name. */
export function checkVar(schema: TSchema, value: string): string | undefined {
  if (Value.Check(schema, value)) return undefined;
  return `must be ${expectedOf(schema)} (got ${shown(schema, value)})`;
}
