import { describe, expect, it } from 'vitest';
import { IdnError } from '../../src/errors/idn-error.ts';
import { LIMITS, identifierKey, isUnderPrefix, parseIdentifier, parsePrefix } from '../../src/identifier/index.ts';

function failure(fn: () => unknown): IdnError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdnError) return e;
    throw e;
  }
  throw new Error('expected an IdnError');
}

describe('parseIdentifier', () => {
  it('splits on the first "/" and keeps later ones as suffix segments', () => {
    const p = parseIdentifier('88.100.5/line/7/BAT-1');
    expect(p).toEqual({
      prefix: '88.100.5',
      suffix: 'line/7/BAT-1',
      handle: '88.100.5/line/7/BAT-1',
      key: '88.100.5/line/7/bat-1',
      prefixKey: '88.100.5',
      prefixSegments: ['88', '100', '5'],
    });
  });

  it('defaults to text: percent signs are not decoded', () => {
    const e = failure(() => parseIdentifier('88/a%2Fb'));
    expect(e.code).toBe('IDN_ERR_SUFFIX_CHARACTER');
    expect(e.message).toContain('percent-encoded');
  });

  it('decodes uri input exactly once', () => {
    expect(parseIdentifier('88/a%2Fb', 'uri').handle).toBe('88/a/b');
    expect(failure(() => parseIdentifier('88/a%252Fb', 'uri')).code).toBe('IDN_ERR_DOUBLE_ENCODED');
  });

  it('shares keys across ASCII case but not across non-ASCII case', () => {
    expect(parseIdentifier('88.100.5/Bat-1').key).toBe(parseIdentifier('88.100.5/BAT-1').key);
    expect(parseIdentifier('88.100.5/\u00c9').key).not.toBe(parseIdentifier('88.100.5/\u00e9').key);
    expect(parseIdentifier('0.NA/X').prefixKey).toBe('0.na');
  });

  it('normalises NFD to NFC instead of rejecting it', () => {
    const nfd = parseIdentifier('88/cafe\u0301');
    expect(nfd.handle).toBe('88/caf\u00e9');
    expect(nfd.key).toBe(parseIdentifier('88/caf\u00e9').key);
  });

  it('rejects lone surrogates in text input', () => {
    const e = failure(() => parseIdentifier('88/a\ud800b'));
    expect(e.code).toBe('IDN_ERR_LONE_SURROGATE');
    expect(e.message).toContain('U+D800');
    expect(failure(() => parseIdentifier('88/\udc00')).code).toBe('IDN_ERR_LONE_SURROGATE');
  });

  it('accepts astral characters (surrogate pairs)', () => {
    expect(parseIdentifier('88/\u{20000}').suffix).toBe('\u{20000}');
  });

  it('says what and where, with U+XXXX for invisible characters', () => {
    const q = failure(() => parseIdentifier('88.100/abc?x'));
    expect(q.code).toBe('IDN_ERR_SUFFIX_CHARACTER');
    expect(q.message).toContain('"?" (U+003F) at character 11');
    expect(q.detail).toEqual({ char: '?', codePoint: 'U+003F', position: 11 });
    const z = failure(() => parseIdentifier('88/a\u200bb'));
    expect(z.code).toBe('IDN_ERR_INVISIBLE_CHARACTER');
    expect(z.message).toContain('U+200B ZERO WIDTH SPACE at character 5');
    expect(z.message).not.toContain('\u200b');
    expect(z.detail?.['char']).toBeUndefined();
    const c = failure(() => parseIdentifier('88/a\u0007'));
    expect(c.message).toContain('U+0007');
    expect(c.message).not.toContain('\u0007');
  });

  it('names the part of the identifier that is wrong', () => {
    expect(failure(() => parseIdentifier('8\u200b8/x')).message).toContain('The prefix contains');
    expect(failure(() => parseIdentifier('88\u200b')).message).toContain('The identifier contains');
  });

  it('reports the compatibility mapping', () => {
    const e = failure(() => parseIdentifier('\uff18\uff18/x'));
    expect(e.code).toBe('IDN_ERR_COMPATIBILITY_CHARACTER');
    expect(e.message).toContain('"8"');
  });

  it('rejects a prefix spelled with non-ASCII digits', () => {
    expect(failure(() => parseIdentifier('\u0668\u0668/x')).code).toBe('IDN_ERR_PREFIX_CHARACTER');
  });

  it('catches ASCII reached only through NFC (U+037E GREEK QUESTION MARK is ";")', () => {
    expect(failure(() => parseIdentifier('88/a\u037e')).code).toBe('IDN_ERR_SUFFIX_CHARACTER');
  });

  it('enforces limits at the boundary', () => {
    const seg = 'a'.repeat(LIMITS.prefixSegmentChars);
    expect(parseIdentifier(`${seg}/x`).prefix).toBe(seg);
    expect(failure(() => parseIdentifier(`${seg}a/x`)).code).toBe('IDN_ERR_PREFIX_SEGMENT_TOO_LONG');
    const deep = Array.from({ length: LIMITS.prefixSegments }, () => '1').join('.');
    expect(parseIdentifier(`${deep}/x`).prefixSegments).toHaveLength(LIMITS.prefixSegments);
    expect(failure(() => parseIdentifier(`${deep}.1/x`)).code).toBe('IDN_ERR_PREFIX_TOO_DEEP');
    const prefix = `${seg}.${'b'.repeat(LIMITS.prefixBytes - seg.length - 1)}`;
    const suffix = 'x'.repeat(LIMITS.suffixBytes);
    expect(parseIdentifier(`${prefix}/${suffix}`).handle).toHaveLength(LIMITS.identifierBytes);
    const suffixSegs = Array.from({ length: LIMITS.suffixSegments }, () => 'a').join('/');
    expect(parseIdentifier(`88/${suffixSegs}`).suffix).toBe(suffixSegs);
    // Multi-byte characters count in UTF-8 bytes: 85 x 3 = 255 fits, 86 x 3 does not.
    expect(parseIdentifier(`88/${'\u7535'.repeat(85)}`).suffix).toHaveLength(85);
    expect(failure(() => parseIdentifier(`88/${'\u7535'.repeat(86)}`)).code).toBe('IDN_ERR_SUFFIX_TOO_LONG');
  });

  it('accepts a maximal identifier fully percent-encoded', () => {
    const handle = `88/${'a'.repeat(LIMITS.identifierBytes - 3)}`;
    const encoded = handle.replace(/a/g, '%61');
    expect(encoded.length).toBeLessThanOrEqual(LIMITS.encodedInputChars);
    expect(failure(() => parseIdentifier(encoded, 'uri')).code).toBe('IDN_ERR_SUFFIX_TOO_LONG');
    const fits = `88/${'%61'.repeat(LIMITS.suffixBytes)}`;
    expect(parseIdentifier(fits, 'uri').suffix).toHaveLength(LIMITS.suffixBytes);
  });

  it('treats tab and NEL as control characters, NBSP as white space', () => {
    expect(failure(() => parseIdentifier('88/a\tb')).code).toBe('IDN_ERR_CONTROL_CHARACTER');
    expect(failure(() => parseIdentifier('88/a\u0085')).code).toBe('IDN_ERR_CONTROL_CHARACTER');
    expect(failure(() => parseIdentifier('88/a\u00a0b')).code).toBe('IDN_ERR_WHITESPACE');
  });

  it('rejects other format characters as invisible (tag characters)', () => {
    expect(failure(() => parseIdentifier('88/a\u{E0041}')).code).toBe('IDN_ERR_INVISIBLE_CHARACTER');
  });
});

describe('parsePrefix', () => {
  it('parses Handle-style prefixes', () => {
    expect(parsePrefix('0.NA')).toEqual({ prefix: '0.NA', prefixKey: '0.na', segments: ['0', 'NA'] });
    expect(parsePrefix('20.500.12345').segments).toEqual(['20', '500', '12345']);
    expect(parsePrefix('88%2E100', 'uri').prefix).toBe('88.100');
  });

  it('rejects what the identifier parser rejects in a prefix', () => {
    expect(failure(() => parsePrefix('')).code).toBe('IDN_ERR_EMPTY_PREFIX');
    expect(failure(() => parsePrefix('88/1')).code).toBe('IDN_ERR_PREFIX_CHARACTER');
    expect(failure(() => parsePrefix('88..1')).code).toBe('IDN_ERR_EMPTY_PREFIX_SEGMENT');
    expect(failure(() => parsePrefix('\uff18')).code).toBe('IDN_ERR_COMPATIBILITY_CHARACTER');
    expect(failure(() => parsePrefix('1'.repeat(2000))).code).toBe('IDN_ERR_PREFIX_TOO_LONG');
    expect(failure(() => parsePrefix('88%2', 'uri')).code).toBe('IDN_ERR_BAD_PERCENT_ENCODING');
  });
});

describe('identifierKey', () => {
  it('lower-cases ASCII letters only', () => {
    expect(identifierKey('88.100.5/BAT-1')).toBe('88.100.5/bat-1');
    expect(identifierKey('0.NA/\u00c9X\u0130')).toBe('0.na/\u00c9x\u0130');
    expect(identifierKey('88/abc')).toBe('88/abc');
  });
});

describe('isUnderPrefix', () => {
  it.each([
    ['88.100.5.2', '88.100.5', true],
    ['88.100.5', '88.100.5', true],
    ['88.100.5', '88', true],
    ['88.1000', '88.100', false],
    ['88.100', '88.100.5', false],
    ['880', '88', false],
    ['89.100', '88', false],
    ['0.na', '0.na', true],
    ['88', '', false],
  ])('%s under %s is %s', (prefixKey, ancestorKey, expected) => {
    expect(isUnderPrefix(prefixKey, ancestorKey)).toBe(expected);
  });
});
