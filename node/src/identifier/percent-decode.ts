import { IdnError } from '../errors/idn-error.ts';
import { hexValue, isPercentEscapeAt } from './characters.ts';
import { codePointPosition, printable } from './describe.ts';

// fatal: invalid UTF-8 must be an error, not U+FFFD. ignoreBOM: a leading %EF%BB%BF must stay in
// the text (and be rejected as invisible) rather than be silently dropped by the decoder.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes percent-escapes exactly once. Characters that are not escapes are kept as they are
 * (including raw non-ASCII, which some clients send unencoded). %2F becomes "/", so an encoded
 * slash is the same as a plain one: it separates prefix from suffix or suffix segments.
 */
export function percentDecode(raw: string): string {
  let pct = raw.indexOf('%');
  if (pct === -1) return raw;
  // Every escape is 3 chars, so this bounds the bytes of any run.
  const bytes = new Uint8Array(Math.ceil(raw.length / 3));
  let out = '';
  let done = 0;
  while (pct !== -1) {
    out += raw.slice(done, pct);
    let end = pct;
    let n = 0;
    // Consecutive escapes form one byte run: a multi-byte character must lie within one run.
    while (raw.charCodeAt(end) === 0x25) {
      if (!isPercentEscapeAt(raw, end)) throw badEscape(raw, end);
      bytes[n++] = hexValue(raw.charCodeAt(end + 1)) * 16 + hexValue(raw.charCodeAt(end + 2));
      end += 3;
    }
    out += decodeRun(bytes.subarray(0, n), raw, pct, end);
    done = end;
    pct = raw.indexOf('%', end);
  }
  return out + raw.slice(done);
}

function decodeRun(bytes: Uint8Array, raw: string, start: number, end: number): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    const run = raw.slice(start, end);
    const shown = run.length > 48 ? run.slice(0, 48) + '...' : run;
    throw new IdnError(
      'IDN_ERR_INVALID_UTF8',
      `The percent-encoded bytes ${shown} at characters ${start + 1}-${end} do not decode as UTF-8; ` +
        'encode the identifier as UTF-8 bytes.',
      { position: start + 1, bytes: shown },
    );
  }
}

function badEscape(raw: string, at: number): IdnError {
  const found = printable(raw.slice(at, at + 3), 3);
  return new IdnError(
    'IDN_ERR_BAD_PERCENT_ENCODING',
    `The "%" at character ${codePointPosition(raw, at)} is not followed by two hexadecimal digits ` +
      `(found "${found}"); write a literal "%" as %25.`,
    { position: codePointPosition(raw, at), found },
  );
}

/** After one decode, a remaining "%XX" means the client encoded twice (%252F). */
export function rejectDoubleEncoding(decoded: string): void {
  let pct = decoded.indexOf('%');
  while (pct !== -1) {
    if (isPercentEscapeAt(decoded, pct)) {
      const escape = decoded.slice(pct, pct + 3);
      throw new IdnError(
        'IDN_ERR_DOUBLE_ENCODED',
        `After percent-decoding once the identifier still contains "${escape}" at character ` +
          `${codePointPosition(decoded, pct)}: it was encoded twice (e.g. %25${escape.slice(1)} for ${escape}); ` +
          'encode it once.',
        { position: codePointPosition(decoded, pct), escape },
      );
    }
    pct = decoded.indexOf('%', pct + 1);
  }
}
