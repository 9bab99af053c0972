import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdnError } from '../../src/errors/idn-error.ts';
import { parseIdentifier, type ParsedIdentifier } from '../../src/identifier/index.ts';

const tryParse = (input: string, encoding: 'uri' | 'text'): ParsedIdentifier | undefined => {
  try {
    return parseIdentifier(input, encoding);
  } catch (e) {
    if (e instanceof IdnError) return undefined;
    throw e;
  }
};

const alnum = fc.constantFrom(...'abcXYZ0189'.split(''));
const prefixArb = fc
  .array(fc.string({ unit: alnum, minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 })
  .map((segments) => segments.join('.'));

// Suffix characters: mostly valid ones, plus any code point, combining marks (NFD input) and
// full graphemes, so generated identifiers exercise the NFC and rejection paths too.
const suffixUnit = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'aZ09-._~'.split('')) },
  { weight: 3, arbitrary: fc.constantFrom('\u00e9', 'e\u0301', '\u7535', '\u6c60', 'A\u030a', '\u212b', '\u{1F50B}') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);
const suffixArb = fc
  .array(fc.string({ unit: suffixUnit, minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 })
  .map((segments) => segments.join('/'));
const identifierArb = fc.tuple(prefixArb, suffixArb).map(([p, s]) => `${p}/${s}`);

// Anything at all, biased towards the characters the decoder and grammar care about.
const trickyUnit = fc.constantFrom('%', '/', '.', '2', 'F', 'a', 'C3', 'E2', '%25', '\ud800', '\udc00', '\u00e9', ' ');
const anyInput = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ unit: trickyUnit, maxLength: 30 }),
  identifierArb,
);

describe('parser properties', () => {
  it('normalisation is idempotent: a handle parses to itself with the same key', () => {
    let accepted = 0;
    fc.assert(
      fc.property(identifierArb, (input) => {
        const p = tryParse(input, 'text');
        if (p === undefined) return;
        accepted++;
        const again = parseIdentifier(p.handle, 'text');
        expect(again.handle).toBe(p.handle);
        expect(again.key).toBe(p.key);
        expect(p.handle).toBe(p.handle.normalize('NFC'));
      }),
      { numRuns: 20_000 },
    );
    // The generator must produce mostly valid identifiers or the property says little.
    expect(accepted).toBeGreaterThan(5_000);
  });

  it('throws nothing but IdnError, for either encoding', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        tryParse(input, 'uri');
        tryParse(input, 'text');
      }),
      { numRuns: 50_000 },
    );
  });

  it('percent-encoding per segment (or all of the suffix) parses to the same handle', () => {
    fc.assert(
      fc.property(identifierArb, (input) => {
        const p = tryParse(input, 'text');
        if (p === undefined) return;
        const perSegment = `${p.prefix}/${p.suffix.split('/').map(encodeURIComponent).join('/')}`;
        expect(parseIdentifier(perSegment, 'uri').handle).toBe(p.handle);
        const whole = `${encodeURIComponent(p.prefix)}/${encodeURIComponent(p.suffix)}`;
        expect(parseIdentifier(whole, 'uri').key).toBe(p.key);
      }),
      { numRuns: 5_000 },
    );
  });
});
