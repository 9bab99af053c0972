import { NON_ASCII } from './characters.ts';

/** UTF-8 byte count of well-formed text; ASCII (the common case) is just its length. */
export function utf8Length(s: string): number {
  return NON_ASCII.test(s) ? Buffer.byteLength(s, 'utf8') : s.length;
}
