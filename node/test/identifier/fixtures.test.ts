import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/errors/codes.ts';
import { IdnError } from '../../src/errors/idn-error.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import { MALFORMED, VALID } from '../fixtures/malformed-identifiers.ts';

function codeOf(input: string, encoding: 'uri' | 'text'): string {
  try {
    parseIdentifier(input, encoding);
  } catch (e) {
    expect(e).toBeInstanceOf(IdnError);
    return (e as IdnError).code;
  }
  return 'accepted';
}

// Characters a raw URL path may carry unencoded (RFC 3986 pchar plus "/" and "%").
const RAW_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;

describe('MALFORMED fixture', () => {
  it('has enough rows, each safe to put raw in a URL path', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(45);
    for (const row of MALFORMED) expect(row.input, row.why).toMatch(RAW_PATH);
  });

  it('covers every identifier-grammar code except the text-only lone surrogate', () => {
    const covered = new Set(MALFORMED.map((r) => r.code));
    // Handle's INVALID_HANDLE (102) also covers requests that are not the grammar's business:
    // query parameters, GS1 Digital Link paths and QR requests have their own tests.
    const notGrammar = (c: string): boolean =>
      c === 'IDN_ERR_INVALID_QUERY' || c === 'IDN_ERR_INVALID_QR_REQUEST' || c.startsWith('IDN_ERR_GS1_');
    const grammar = Object.keys(ERRORS).filter((c) => ERRORS[c as keyof typeof ERRORS].rc === 102 && !notGrammar(c));
    const missing = grammar.filter((c) => !covered.has(c as keyof typeof ERRORS));
    expect(missing).toEqual(['IDN_ERR_LONE_SURROGATE']);
  });

  it.each(MALFORMED.map((r) => [r.why, r] as const))('rejects %s', (_why, row) => {
    expect(codeOf(row.input, 'uri')).toBe(row.code);
  });

  it('never echoes raw control or invisible characters in messages', () => {
    for (const row of MALFORMED) {
      try {
        parseIdentifier(row.input, 'uri');
      } catch (e) {
        expect((e as Error).message, row.why).not.toMatch(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u);
      }
    }
  });
});

describe('VALID fixture', () => {
  it.each(VALID.map((r) => [r.input.slice(0, 40), r] as const))('accepts %s', (_name, row) => {
    const p = parseIdentifier(row.input, 'uri');
    expect(p.handle).toBe(row.handle);
    expect(p.key).toBe(row.key);
    expect(p.prefix + '/' + p.suffix).toBe(p.handle);
    expect(p.key.startsWith(p.prefixKey + '/')).toBe(true);
    // The registered spelling parses to itself as text.
    expect(parseIdentifier(row.handle, 'text').handle).toBe(row.handle);
  });
});
