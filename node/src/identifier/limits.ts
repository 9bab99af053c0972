/**
 * Size limits of the identifier grammar, all enforced by the parser.
 *
 * - prefixBytes 64, prefixSegments 16, prefixSegmentChars 32: real Handle / industrial-internet
 *   prefixes are short ("88.100.5", "20.500.12345"); these leave room for deep sub-prefixes
 *   (plants, parks) while bounding the prefix-walk a resolver does per lookup.
 * - suffixBytes 255 (UTF-8): fits any serial, batch or GTIN-style suffix, and a single column /
 *   LMDB key comfortably.
 * - identifierBytes 320 = 64 + 1 + 255: any valid prefix joined to any valid suffix is a valid
 *   identifier, so the total limit only ever names an input that is too long as a whole.
 * - encodedInputChars 1024 >= 3 * 320: a maximal identifier percent-encoded byte by byte still
 *   fits; anything longer is rejected before any decoding work (cheap rejection of junk).
 */
export const LIMITS = {
  prefixBytes: 64,
  prefixSegments: 16,
  prefixSegmentChars: 32,
  suffixBytes: 255,
  suffixSegments: 32,
  identifierBytes: 320,
  encodedInputChars: 1024,
} as const;
