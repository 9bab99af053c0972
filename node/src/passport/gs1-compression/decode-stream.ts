import { IdnError } from '../../errors/idn-error.ts';
import { AI_LENGTH_BY_PREFIX, PRIMARY_KEYS } from './ai-table.ts';
import { BASE64URL, BitReader } from './bits.ts';
import { formatOf, type Gs1Element } from './elements.ts';
import { OPTIMISATIONS } from './optimisations.ts';
import type { OtherPair } from './uri.ts';
import { readText, readValue } from './values.ts';

/**
 * The bit stream of one compressed segment -> element strings and non-GS1 pairs, in stream
 * order. Errors say how far the stream read as GS1 data (a whole primary-key value, whole
 * elements): that is how the node tells a compressed link from a one-segment QR path.
 */

/** No valid input needs more: 20 AIs of 90 characters fit in far fewer. Caps the work per request. */
export const MAX_SEGMENT_CHARS = 512;

export interface DecodedStream {
  readonly elements: readonly Gs1Element[];
  readonly others: readonly OtherPair[];
}

const unknown = (message: string, bit: number): IdnError =>
  new IdnError('IDN_ERR_GS1_COMPRESSED_UNKNOWN_AI', message, { bit });

const hexOf = (n: number): string => n.toString(16).toUpperCase();

/** Reads the rest of a decimal AI whose first two digits were read; an unknown prefix or AI is the coded error. */
function readAi(r: BitReader, first: string, at: number): string {
  const length = AI_LENGTH_BY_PREFIX.get(first);
  if (length === undefined) throw unknown(`No GS1 AI starts with ${first} (bit ${at}).`, at);
  let ai = first;
  while (ai.length < length) {
    const d = r.readNumber(4, `AI ${ai}...`);
    if (d > 9) throw unknown(`AI ${ai}${hexOf(d)} at bit ${at} is not decimal.`, at);
    ai += String(d);
  }
  formatOf(ai);
  return ai;
}

/** A non-GS1 key=value pair: 7-bit key length (h2 is its top nibble), base64url key, then a text value. */
function readOther(r: BitReader, h2: number): OtherPair {
  const at = r.position - 8;
  const keyLength = (h2 << 3) | r.readNumber(3, 'a non-GS1 key length');
  if (keyLength === 0)
    throw new IdnError('IDN_ERR_GS1_COMPRESSED_INVALID', `Empty non-GS1 key at bit ${at}.`, { bit: at });
  let key = '';
  for (let i = 0; i < keyLength; i++) key += BASE64URL.charAt(r.readNumber(6, 'a non-GS1 key'));
  const value = readText(r, 7, 0, 127, `the non-GS1 value of "${key}"`);
  return { key, value };
}

function readPadding(r: BitReader): void {
  const rest = r.rest();
  if (rest.length >= 6 || /1/.test(rest)) {
    throw new IdnError(
      'IDN_ERR_GS1_COMPRESSED_INVALID',
      `The compressed segment ends with ${rest.length} bits that are not zero padding (bit ${r.position}).`,
      { bit: r.position },
    );
  }
}

interface Progress {
  keyDecoded: boolean;
  elementsDecoded: number;
}

function decode(r: BitReader, state: Progress): DecodedStream {
  const elements: Gs1Element[] = [];
  const others: OtherPair[] = [];
  const take = (ai: string) => {
    elements.push({ ai, value: readValue(r, formatOf(ai)) });
    state.elementsDecoded++;
    if (PRIMARY_KEYS.has(ai)) state.keyDecoded = true;
  };
  // Fewer than 9 bits left cannot hold another element: they are the padding.
  while (r.remaining > 8) {
    const at = r.position;
    const h1 = r.readNumber(4, 'an element header');
    const h2 = r.readNumber(4, 'an element header');
    const code = OPTIMISATIONS.get(`${hexOf(h1)}${hexOf(h2)}`);
    if (h1 <= 9 && h2 <= 9) take(readAi(r, `${h1}${h2}`, at));
    else if (code !== undefined) code.forEach(take);
    else if (h1 === 15) others.push(readOther(r, h2));
    else throw unknown(`Header ${hexOf(h1)}${hexOf(h2)} at bit ${at} is no AI, optimisation code or non-GS1 pair.`, at);
  }
  readPadding(r);
  return { elements, others };
}

/**
 * Decodes one base64url segment. Errors are coded IdnErrors whose detail has `bit` or `position`,
 * and `keyDecoded` / `elementsDecoded`: how far the stream read as GS1 data before it failed.
 */
export function decodeSegment(segment: string): DecodedStream {
  const state: Progress = { keyDecoded: false, elementsDecoded: 0 };
  try {
    if (segment.length > MAX_SEGMENT_CHARS) {
      throw new IdnError(
        'IDN_ERR_GS1_COMPRESSED_INVALID',
        `The compressed segment has ${segment.length} characters; at most ${MAX_SEGMENT_CHARS} are read.`,
      );
    }
    return decode(BitReader.fromBase64url(segment), state);
  } catch (e) {
    if (!(e instanceof IdnError)) throw e;
    throw new IdnError(e.code, e.message, { ...e.detail, ...state });
  }
}
