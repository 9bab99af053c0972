import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';

/** Validates linksets against linkset.schema.json with ajv (the schema is compiled once). */

const schema = JSON.parse(readFileSync(new URL('./linkset.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

export interface LinksetCheck {
  readonly valid: boolean;
  readonly errors: readonly ErrorObject[];
}

export function checkLinkset(doc: unknown): LinksetCheck {
  const valid = validate(doc);
  return { valid, errors: valid ? [] : [...(validate.errors ?? [])] };
}
