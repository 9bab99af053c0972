import { IdnError } from '../errors/idn-error.ts';
import { asciiKey, identifierKey } from './key.ts';
import { LIMITS } from './limits.ts';
import { percentDecode, rejectDoubleEncoding } from './percent-decode.ts';
import { checkPrefix } from './prefix-grammar.ts';
import { checkSuffix } from './suffix-grammar.ts';
import type { InputEncoding, ParsedIdentifier, ParsedPrefix, ParseTarget } from './types.ts';
import { normalise, rejectForbidden } from './unicode-checks.ts';
import { utf8Length } from './utf8-length.ts';

// Fast path: the common all-ASCII identifier with no escapes is already decoded, NFC and free of
// forbidden characters, so only the structural and length checks remain. Both regexes are linear
// ("." and "/" separate the repeated groups, so there is no backtracking ambiguity).
const FAST_IDENTIFIER = /^[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*\/[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*$/;
const FAST_PREFIX = /^[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*$/;

/**
 * Parses `prefix/suffix`. The first "/" splits prefix from suffix; later ones separate suffix
 * segments. With 'uri' the input is percent-decoded exactly once (so %2F is a "/").
 * Throws IdnError with a specific IDN_ERR_* code; never anything else.
 */
export function parseIdentifier(input: string, encoding: InputEncoding = 'text'): ParsedIdentifier {
  if (input.length > LIMITS.encodedInputChars) throw inputTooLong(input, 'IDN_ERR_IDENTIFIER_TOO_LONG');
  if (FAST_IDENTIFIER.test(input)) return assemble(input, true);
  return assemble(decodeAndNormalise(input, encoding, 'identifier'), false);
}

/** Parses a bare prefix ("88.100.5", "0.NA") with the same rules as the prefix of an identifier. */
export function parsePrefix(input: string, encoding: InputEncoding = 'text'): ParsedPrefix {
  if (input.length > LIMITS.encodedInputChars) throw inputTooLong(input, 'IDN_ERR_PREFIX_TOO_LONG');
  const fast = FAST_PREFIX.test(input);
  const prefix = fast ? input : decodeAndNormalise(input, encoding, 'prefix');
  const segments = checkPrefix(prefix, fast);
  return { prefix, prefixKey: identifierKey(prefix), segments };
}

/** The slow path: decode once, reject forbidden code points, normalise to NFC. */
function decodeAndNormalise(input: string, encoding: InputEncoding, target: ParseTarget): string {
  if (input.length === 0) {
    throw target === 'prefix'
      ? new IdnError('IDN_ERR_EMPTY_PREFIX', 'The prefix is empty.')
      : new IdnError('IDN_ERR_EMPTY_IDENTIFIER', 'The identifier is empty; expected "prefix/suffix".');
  }
  let text = input;
  if (encoding === 'uri') {
    text = percentDecode(input);
    if (text !== input) rejectDoubleEncoding(text);
  }
  rejectForbidden(text, target);
  return normalise(text, target);
}

/**
 * Structural and length checks on decoded NFC text, then the result with its keys.
 * fast: handle matched FAST_IDENTIFIER, so it is ASCII with only allowed characters.
 */
function assemble(handle: string, fast: boolean): ParsedIdentifier {
  const slash = handle.indexOf('/');
  if (slash === -1) {
    throw new IdnError(
      'IDN_ERR_MISSING_SEPARATOR',
      'The identifier has no "/": expected "prefix/suffix", e.g. "88.100.5/BAT-1".',
    );
  }
  if (slash === 0) throw new IdnError('IDN_ERR_EMPTY_PREFIX', 'The identifier starts with "/": the prefix is empty.');
  if (slash === handle.length - 1) {
    throw new IdnError('IDN_ERR_EMPTY_SUFFIX', 'Nothing follows the first "/": the suffix is empty.');
  }
  const bytes = fast ? handle.length : utf8Length(handle);
  if (bytes > LIMITS.identifierBytes) {
    throw new IdnError(
      'IDN_ERR_IDENTIFIER_TOO_LONG',
      `The identifier is ${bytes} bytes long in UTF-8; the limit is ${LIMITS.identifierBytes}.`,
      { bytes, limit: LIMITS.identifierBytes },
    );
  }
  const prefix = handle.slice(0, slash);
  const prefixSegments = checkPrefix(prefix, fast);
  checkSuffix(handle, slash + 1, fast);
  const key = fast ? asciiKey(handle) : identifierKey(handle);
  // The prefix is ASCII and ASCII lower-casing keeps lengths, so the key starts with prefixKey.
  return { prefix, suffix: handle.slice(slash + 1), handle, key, prefixKey: key.slice(0, slash), prefixSegments };
}

function inputTooLong(input: string, code: 'IDN_ERR_IDENTIFIER_TOO_LONG' | 'IDN_ERR_PREFIX_TOO_LONG'): IdnError {
  return new IdnError(
    code,
    `The input is ${input.length} characters long before decoding; the limit is ${LIMITS.encodedInputChars}.`,
    { chars: input.length, limit: LIMITS.encodedInputChars },
  );
}
