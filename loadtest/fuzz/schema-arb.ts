import fc from 'fast-check';
import { anyText, junk } from '../../node/test/http/fuzz-arbitraries.ts';
import type { Schema } from './routes.ts';

/**
 * A body shaped like a route's JSON schema (TypeBox, as the OpenAPI document gives it): objects
 * with their properties (required ones usually present), enums, bounded numbers, arrays; every
 * leaf sometimes the wrong type. Deep or unknown schemas fall back to fc.jsonValue.
 */

const MAX_DEPTH = 4;
const wrong = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), junk, fc.constant([]), fc.constant({}));

function stringArb(s: Schema): fc.Arbitrary<unknown> {
  const max = typeof s.maxLength === 'number' ? s.maxLength : 40;
  return fc.oneof(
    { weight: 4, arbitrary: fc.oneof(anyText, junk) },
    { weight: 1, arbitrary: fc.string({ maxLength: Math.min(max + 2, 200) }) },
  );
}

function numberArb(s: Schema): fc.Arbitrary<unknown> {
  const min = typeof s.minimum === 'number' ? s.minimum : -5;
  const max = typeof s.maximum === 'number' ? s.maximum : 1000;
  return fc.oneof(
    fc.integer({ min: Math.max(min - 1, -(2 ** 31)), max: Math.min(max + 1, 2 ** 31) }),
    fc.constantFrom(0, -1, 1.5, 2 ** 31, Number.MAX_SAFE_INTEGER),
  );
}

function objectArb(s: Schema, depth: number): fc.Arbitrary<unknown> {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const entries = Object.entries(props).map(
    ([k, v]) => [k, fc.option(arb(v, depth + 1), { freq: required.has(k) ? 20 : 2, nil: undefined })] as const,
  );
  return fc
    .record(Object.fromEntries(entries))
    .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
}

function shaped(s: Schema, depth: number): fc.Arbitrary<unknown> {
  if (Array.isArray(s.enum) && s.enum.length > 0) return fc.constantFrom(...(s.enum as unknown[]));
  if ('const' in s) return fc.constant(s.const);
  const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (Array.isArray(alts) && alts.length > 0) return fc.oneof(...alts.map((a) => arb(a, depth)));
  switch (s.type) {
    case 'object':
      return objectArb(s, depth);
    case 'array':
      return fc.array(arb((s.items ?? {}) as Schema, depth + 1), { maxLength: 4 });
    case 'string':
      return stringArb(s);
    case 'integer':
    case 'number':
      return numberArb(s);
    case 'boolean':
      return fc.boolean();
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

export function arb(s: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (depth > MAX_DEPTH) return fc.jsonValue({ maxDepth: 1 });
  return fc.oneof({ weight: 12, arbitrary: shaped(s, depth) }, { weight: 1, arbitrary: wrong });
}
