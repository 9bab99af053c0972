import type { ErrorCode } from '../errors/codes.ts';
import { IdnError } from '../errors/idn-error.ts';
import { FORBIDDEN, NON_ASCII, classifyForbidden } from './characters.ts';
import { codePointDetail, codePointPosition, describeCodePoint, printable } from './describe.ts';
import type { ParseTarget } from './types.ts';

const ADVICE: Partial<Record<ErrorCode, string>> = {
  IDN_ERR_LONE_SURROGATE: 'the text is not well-formed UTF-16 (half of a surrogate pair).',
  IDN_ERR_CONTROL_CHARACTER: 'control characters are never allowed.',
  IDN_ERR_WHITESPACE: 'white space is never allowed, encoded or not.',
  IDN_ERR_BIDI_CHARACTER: 'bidirectional formatting characters can disguise an identifier.',
  IDN_ERR_NONCHARACTER: 'noncharacters, private-use and unassigned code points are not allowed.',
  IDN_ERR_INVISIBLE_CHARACTER: 'invisible characters would make look-alike identifiers.',
};

/** Which part of the text an index falls in, for messages ("the prefix contains ..."). */
export function partAt(text: string, index: number, target: ParseTarget): string {
  if (target === 'prefix') return 'prefix';
  const slash = text.indexOf('/');
  if (slash === -1) return 'identifier';
  return index < slash ? 'prefix' : 'suffix';
}

/** Rejects the first code point that no identifier may contain, with its own code. */
export function rejectForbidden(text: string, target: ParseTarget): void {
  const match = FORBIDDEN.exec(text);
  if (match === null) return;
  const cp = text.codePointAt(match.index) ?? 0;
  const code = classifyForbidden(cp);
  const position = codePointPosition(text, match.index);
  throw new IdnError(
    code,
    `The ${partAt(text, match.index, target)} contains ${describeCodePoint(cp)} at character ${position}; ` +
      (ADVICE[code] ?? ''),
    codePointDetail(cp, position),
  );
}

/**
 * Returns the NFC form (the registered spelling). Rejects compatibility characters, i.e. where
 * NFKC differs from NFC (fullwidth "８", "ﬁ", "①"): they look like other identifiers.
 */
export function normalise(text: string, target: ParseTarget): string {
  // ASCII is already NFC and NFKC; skip ICU entirely.
  if (!NON_ASCII.test(text)) return text;
  const nfc = text.normalize('NFC');
  if (nfc.normalize('NFKC') !== nfc) throw compatibilityError(text, target);
  return nfc;
}

function compatibilityError(text: string, target: ParseTarget): IdnError {
  let index = 0;
  for (const ch of text) {
    const nfkc = ch.normalize('NFKC');
    // Per code point is exact: NFKC and NFC differ on a string iff some code point has a
    // compatibility decomposition, and then they differ on that code point alone.
    if (nfkc !== ch.normalize('NFC')) {
      const cp = ch.codePointAt(0) ?? 0;
      const position = codePointPosition(text, index);
      return new IdnError(
        'IDN_ERR_COMPATIBILITY_CHARACTER',
        `The ${partAt(text, index, target)} contains ${describeCodePoint(cp)} at character ${position}, ` +
          `a compatibility character that NFKC turns into "${printable(nfkc)}"; write that instead.`,
        { ...codePointDetail(cp, position), nfkc },
      );
    }
    index += ch.length;
  }
  return new IdnError('IDN_ERR_COMPATIBILITY_CHARACTER');
}
