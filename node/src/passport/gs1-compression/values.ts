import { IdnError } from '../../errors/idn-error.ts';
import type { AiFormat, Component } from './ai-table.ts';
import { BASE64URL, type BitReader, type BitWriter } from './bits.ts';
import { splitValue } from './elements.ts';

/**
 * Value encodings of the compressed form: numeric components as binary integers, alphanumeric
 * ones behind a 3-bit encoding indicator (digits, lower hex, upper hex, base64url, 7-bit ASCII).
 */

/** Bits for n decimal digits: GS1's ceil(n*log2(10) + 0.01), so 0 digits take 1 bit. */
export const digitBits = (n: number): number => Math.ceil(n * Math.log2(10) + 0.01);

/** Bits of the length field of a variable part of at most `max` characters. */
export const lengthBits = (max: number): number => max.toString(2).length;

const HEX = '0123456789ABCDEF';
const Enc = { digits: 0, lowerHex: 1, upperHex: 2, base64url: 3, ascii: 4 } as const;
type Enc = (typeof Enc)[keyof typeof Enc];

const malformed = (message: string, bit: number): IdnError =>
  new IdnError('IDN_ERR_GS1_COMPRESSED_INVALID', message, { bit });

/**
 * The encoding GS1's encoder picks, except that digits with a leading zero go as upper hex:
 * GS1's own decoders drop leading zeros of the digits encoding (research note, pitfall 2).
 */
export function pickEncoding(v: string): Enc {
  if (/^\d+$/.test(v)) return v.length > 1 && v.startsWith('0') ? Enc.upperHex : Enc.digits;
  if (/^[0-9a-f]+$/.test(v)) return Enc.lowerHex;
  if (/^[0-9A-F]+$/.test(v)) return Enc.upperHex;
  if (/^[A-Za-z0-9_-]+$/.test(v)) return Enc.base64url;
  return Enc.ascii;
}

function writeDigits(w: BitWriter, digits: string): void {
  w.write(digits === '' ? 0n : BigInt(digits), digitBits(digits.length));
}

function readDigits(r: BitReader, n: number, what: string): string {
  const at = r.position;
  const v = r.read(digitBits(n), what);
  if (n === 0) {
    if (v !== 0n) throw malformed(`${what} at bit ${at}: an empty number must have a zero value bit.`, at);
    return '';
  }
  const text = v.toString();
  if (text.length > n) throw malformed(`${what} at bit ${at}: the number ${text} has more than ${n} digits.`, at);
  // The digit count is known, so leading zeros come back (GS1's toolkits lose them here).
  return text.padStart(n, '0');
}

/** The characters of `v` in encoding `enc` (the digits encoding is one integer, written by the caller). */
function writeChars(w: BitWriter, enc: Enc, v: string): void {
  for (const ch of v) {
    if (enc === Enc.lowerHex || enc === Enc.upperHex) w.write(HEX.indexOf(ch.toUpperCase()), 4);
    else if (enc === Enc.base64url) w.write(BASE64URL.indexOf(ch), 6);
    else w.write(ch.charCodeAt(0), 7);
  }
}

function readChars(r: BitReader, enc: Enc, n: number, what: string): string {
  if (enc === Enc.digits) return readDigits(r, n, what);
  let out = '';
  for (let i = 0; i < n; i++) {
    if (enc === Enc.lowerHex) out += HEX.charAt(r.readNumber(4, what)).toLowerCase();
    else if (enc === Enc.upperHex) out += HEX.charAt(r.readNumber(4, what));
    else if (enc === Enc.base64url) out += BASE64URL.charAt(r.readNumber(6, what));
    else out += String.fromCharCode(r.readNumber(7, what));
  }
  return out;
}

/** Indicator, optional length field, characters: the alphanumeric layout of components and non-GS1 pairs. */
export function writeText(w: BitWriter, v: string, lengthWidth: number | undefined): void {
  const enc = pickEncoding(v);
  w.write(enc, 3);
  if (lengthWidth !== undefined) w.write(v.length, lengthWidth);
  if (enc === Enc.digits) writeDigits(w, v);
  else writeChars(w, enc, v);
}

export function readText(r: BitReader, lengthWidth: number | undefined, fixed: number, max: number, what: string) {
  const at = r.position;
  const enc = r.readNumber(3, `the encoding indicator of ${what}`);
  if (enc > Enc.ascii)
    throw malformed(`${what}: encoding indicator ${enc.toString(2)} at bit ${at} is unassigned.`, at);
  const n = lengthWidth === undefined ? fixed : r.readNumber(lengthWidth, `the length of ${what}`);
  if (n > max)
    throw malformed(`${what}: the declared length ${n} at bit ${at + 3} is over the maximum ${max}.`, at + 3);
  return readChars(r, enc as Enc, n, what);
}

function writeComponent(w: BitWriter, c: Component, part: string): void {
  if (c.kind === 'N') {
    if (!c.fixed) w.write(part.length, lengthBits(c.length));
    writeDigits(w, part);
    return;
  }
  writeText(w, part, c.fixed ? undefined : lengthBits(c.length));
}

function readComponent(r: BitReader, c: Component, what: string): string {
  if (c.kind === 'X') return readText(r, c.fixed ? undefined : lengthBits(c.length), c.length, c.length, what);
  if (c.fixed) return readDigits(r, c.length, what);
  const at = r.position;
  const n = r.readNumber(lengthBits(c.length), `the length of ${what}`);
  if (n > c.length)
    throw malformed(`${what}: the declared length ${n} at bit ${at} is over the maximum ${c.length}.`, at);
  return readDigits(r, n, what);
}

/** Writes the value of an AI (already checked against its format) as its components. */
export function writeValue(w: BitWriter, f: AiFormat, value: string): void {
  const parts = splitValue(f, value);
  f.components.forEach((c, i) => writeComponent(w, c, parts[i] ?? ''));
}

export function readValue(r: BitReader, f: AiFormat): string {
  return f.components.map((c) => readComponent(r, c, `the value of AI ${f.ai}`)).join('');
}
