import type { ErrorCode } from '../errors/codes.ts';
import { IdnError } from '../errors/idn-error.ts';
import { isPercentEscapeAt } from './characters.ts';
import { codePointDetail, codePointPosition, describeCodePoint } from './describe.ts';

/** A character not allowed where it stands: says what, where, and what is allowed there. */
export function characterError(code: ErrorCode, part: string, text: string, index: number, allowed: string): IdnError {
  const cp = text.codePointAt(index) ?? 0;
  const position = codePointPosition(text, index);
  // Only reachable for 'text' input: 'uri' input with %XX left after decoding is DOUBLE_ENCODED.
  const hint = isPercentEscapeAt(text, index)
    ? ' It looks percent-encoded: this entry point takes decoded text, so decode it first.'
    : '';
  return new IdnError(
    code,
    `The ${part} contains ${describeCodePoint(cp)} at character ${position}; allowed ${allowed}.${hint}`,
    codePointDetail(cp, position),
  );
}
