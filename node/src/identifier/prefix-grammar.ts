import { IdnError } from '../errors/idn-error.ts';
import { characterError } from './character-error.ts';
import { DOT, isPrefixUnit } from './characters.ts';
import { LIMITS } from './limits.ts';

const ALLOWED = 'are ASCII letters and digits, with "." between segments';

/**
 * Checks an NFC prefix (which starts the identifier, so its indexes are identifier positions)
 * and returns its segments. A valid prefix is ASCII, so its length is its byte count.
 * asciiChecked: the fast-path regex already proved every character allowed.
 */
export function checkPrefix(prefix: string, asciiChecked = false): string[] {
  for (let i = asciiChecked ? prefix.length : 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    if (c !== DOT && !isPrefixUnit(c)) throw characterError('IDN_ERR_PREFIX_CHARACTER', 'prefix', prefix, i, ALLOWED);
  }
  const segments = splitSegments(prefix);
  if (segments.length > LIMITS.prefixSegments) {
    throw new IdnError(
      'IDN_ERR_PREFIX_TOO_DEEP',
      `The prefix "${prefix}" has ${segments.length} segments; the limit is ${LIMITS.prefixSegments}.`,
      { segments: segments.length, limit: LIMITS.prefixSegments },
    );
  }
  rejectLongSegment(segments);
  if (prefix.length > LIMITS.prefixBytes) {
    throw new IdnError(
      'IDN_ERR_PREFIX_TOO_LONG',
      `The prefix is ${prefix.length} bytes long; the limit is ${LIMITS.prefixBytes}.`,
      { bytes: prefix.length, limit: LIMITS.prefixBytes },
    );
  }
  return segments;
}

/** Splits on "." (a hand loop: this runs per request and split + scans cost more). */
function splitSegments(prefix: string): string[] {
  const segments: string[] = [];
  let start = 0;
  for (let i = 0; i <= prefix.length; i++) {
    if (i < prefix.length && prefix.charCodeAt(i) !== DOT) continue;
    if (i === start) throw emptySegment(prefix, i);
    segments.push(prefix.slice(start, i));
    start = i + 1;
  }
  return segments;
}

function emptySegment(prefix: string, at: number): IdnError {
  let where: string;
  if (at === 0) where = 'starts with "."';
  else if (at === prefix.length) where = 'ends with "."';
  else where = `has ".." at character ${at}`;
  return new IdnError(
    'IDN_ERR_EMPTY_PREFIX_SEGMENT',
    `The prefix "${prefix}" ${where}; every "."-separated segment needs at least one letter or digit.`,
    { position: at + 1 },
  );
}

function rejectLongSegment(segments: readonly string[]): void {
  let k = 0;
  while (k < segments.length && (segments[k]?.length ?? 0) <= LIMITS.prefixSegmentChars) k++;
  if (k === segments.length) return;
  const length = segments[k]?.length ?? 0;
  throw new IdnError(
    'IDN_ERR_PREFIX_SEGMENT_TOO_LONG',
    `Prefix segment ${k + 1} is ${length} characters long; the limit is ${LIMITS.prefixSegmentChars}.`,
    { segment: k + 1, length, limit: LIMITS.prefixSegmentChars },
  );
}
