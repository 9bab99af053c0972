import type { ErrorCode } from '../errors/codes.ts';

export const SLASH = 0x2f;
export const DOT = 0x2e;
const PERCENT = 0x25;

// ASCII classes as lookup tables: an array read per UTF-16 unit is cheaper than a regex per char.
const PREFIX_UNITS = new Uint8Array(128);
const SUFFIX_UNITS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  PREFIX_UNITS[c] = alnum ? 1 : 0;
  // RFC 3986 unreserved: ALPHA DIGIT "-" "." "_" "~"
  SUFFIX_UNITS[c] = alnum || c === 0x2d || c === DOT || c === 0x5f || c === 0x7e ? 1 : 0;
}

/** ASCII letter or digit (a prefix segment character). */
export const isPrefixUnit = (c: number): boolean => PREFIX_UNITS[c] === 1;

/** RFC 3986 unreserved ASCII (a suffix segment character); non-ASCII is judged separately. */
export const isSuffixUnit = (c: number): boolean => SUFFIX_UNITS[c] === 1;

/** Any UTF-16 unit outside ASCII. */
export const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Every code point the identifier never allows, whatever its position: controls, format
 * characters (bidi, zero-width), lone surrogates, private use, unassigned (which includes the
 * noncharacters), white space and default-ignorables (variation selectors, CGJ, fillers): each
 * can make two identifiers look identical while their keys differ.
 */
export const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{White_Space}\p{Default_Ignorable_Code_Point}]/u;

const WHITE_SPACE = /^\p{White_Space}$/u;
const BIDI_CONTROL = /^\p{Bidi_Control}$/u;
const NONCHARACTER = /^[\p{Noncharacter_Code_Point}\p{Co}\p{Cn}]$/u;

/** The error code for a code point FORBIDDEN matched; the order decides overlaps (tab, NEL: control). */
export function classifyForbidden(cp: number): ErrorCode {
  if (cp >= 0xd800 && cp <= 0xdfff) return 'IDN_ERR_LONE_SURROGATE';
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 'IDN_ERR_CONTROL_CHARACTER';
  const ch = String.fromCodePoint(cp);
  if (WHITE_SPACE.test(ch)) return 'IDN_ERR_WHITESPACE';
  if (BIDI_CONTROL.test(ch)) return 'IDN_ERR_BIDI_CHARACTER';
  if (NONCHARACTER.test(ch)) return 'IDN_ERR_NONCHARACTER';
  return 'IDN_ERR_INVISIBLE_CHARACTER';
}

/** Value of an ASCII hex digit, or -1 (also for NaN, i.e. past the end of the string). */
export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** True when s has "%" + two hex digits at index i (a percent-escape). */
export const isPercentEscapeAt = (s: string, i: number): boolean =>
  s.charCodeAt(i) === PERCENT && hexValue(s.charCodeAt(i + 1)) >= 0 && hexValue(s.charCodeAt(i + 2)) >= 0;
