import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * Validates linksets with ajv (each schema compiled once):
 * - checkGs1Linkset: GS1's own linkset schema (Resolver 1.2, gs1-standard/gs1-linkset-schema.json),
 *   which every linkset in GS1's form (application/linkset+json, application/json,
 *   application/ld+json without its @context) must satisfy;
 * - checkLinkset: idnode's RFC 9264 schema (linkset.schema.json), for idnode's own form
 *   (application/vnd.idnode.linkset+json) with its extension attributes.
 */

export interface LinksetCheck {
  readonly valid: boolean;
  readonly errors: readonly ErrorObject[];
}

const load = (path: string): object => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as object;

// GS1's schema annotates with keywords of its own ("name", "@id"): ajv's strict mode would refuse them.
const gs1 = new Ajv({ allErrors: true, strict: false }).compile(load('./gs1-standard/gs1-linkset-schema.json'));
const idnode = new Ajv({ allErrors: true, strict: true }).compile(load('./linkset.schema.json'));

function check(validate: ValidateFunction, doc: unknown): LinksetCheck {
  const valid = validate(doc);
  return { valid, errors: valid ? [] : [...(validate.errors ?? [])] };
}

export const checkGs1Linkset = (doc: unknown): LinksetCheck => check(gs1, doc);

export const checkLinkset = (doc: unknown): LinksetCheck => check(idnode, doc);
