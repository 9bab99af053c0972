import { IdnError } from '../errors/idn-error.ts';
import { characterError } from './character-error.ts';
import { DOT, SLASH, isSuffixUnit } from './characters.ts';
import { codePointPosition } from './describe.ts';
import { LIMITS } from './limits.ts';
import { utf8Length } from './utf8-length.ts';

const ALLOWED = 'ASCII is A-Z a-z 0-9 - . _ ~ and "/" between segments (non-ASCII letters are allowed too)';

/**
 * Checks the NFC suffix text[start..] of an identifier whose Unicode checks already passed.
 * asciiChecked: the fast-path regex already proved the text ASCII and every character allowed.
 */
export function checkSuffix(text: string, start: number, asciiChecked = false): void {
  for (let i = asciiChecked ? text.length : start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80 && c !== SLASH && !isSuffixUnit(c)) {
      throw characterError('IDN_ERR_SUFFIX_CHARACTER', 'suffix', text, i, ALLOWED);
    }
  }
  const segments = checkSuffixSegments(text, start);
  if (segments > LIMITS.suffixSegments) {
    throw new IdnError(
      'IDN_ERR_SUFFIX_TOO_DEEP',
      `The suffix has ${segments} "/"-separated segments; the limit is ${LIMITS.suffixSegments}.`,
      { segments, limit: LIMITS.suffixSegments },
    );
  }
  const bytes = asciiChecked ? text.length - start : utf8Length(text.slice(start));
  if (bytes > LIMITS.suffixBytes) {
    throw new IdnError(
      'IDN_ERR_SUFFIX_TOO_LONG',
      `The suffix is ${bytes} bytes long in UTF-8; the limit is ${LIMITS.suffixBytes}.`,
      { bytes, limit: LIMITS.suffixBytes },
    );
  }
}

/** Rejects empty and dot segments (paths would collapse them); returns the segment count. */
function checkSuffixSegments(text: string, start: number): number {
  let count = 0;
  let segStart = start;
  for (let i = start; i <= text.length; i++) {
    if (i < text.length && text.charCodeAt(i) !== SLASH) continue;
    count++;
    const length = i - segStart;
    if (length === 0) throw emptySegment(text, start, i);
    if (length <= 2 && text.charCodeAt(segStart) === DOT && (length === 1 || text.charCodeAt(i - 1) === DOT)) {
      const segment = text.slice(segStart, i);
      throw new IdnError(
        'IDN_ERR_DOT_SEGMENT',
        `Suffix segment ${count} is "${segment}" (at character ${codePointPosition(text, segStart)}); ` +
          '"." and ".." segments are not allowed because URL paths collapse them.',
        { segment: count, value: segment },
      );
    }
    segStart = i + 1;
  }
  return count;
}

function emptySegment(text: string, start: number, at: number): IdnError {
  let where: string;
  if (at === start) where = 'starts with "/" (the first "/" already separates prefix and suffix)';
  else if (at === text.length) where = 'ends with "/"';
  else where = `has "//" at character ${codePointPosition(text, at - 1)}`;
  return new IdnError(
    'IDN_ERR_EMPTY_SUFFIX_SEGMENT',
    `The suffix ${where}; every "/"-separated suffix segment must be non-empty.`,
    { position: codePointPosition(text, at) },
  );
}
