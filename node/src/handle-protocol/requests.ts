import { naHandleOf } from '../authority/homed-prefixes.ts';
import { parseIdentifier, type ParsedIdentifier } from '../identifier/index.ts';
import { ByteReader, WireError } from './bytes.ts';
import { decodeValues, type WireValue } from './values.ts';

/**
 * Request bodies by opcode (research §2). Unread bytes inside BodyLength are ignored: teleinfo
 * appends an `authBytes` array to resolution requests, CNRI's session setup 2 bytes more.
 */

/**
 * A handle as clients send it. A prefix may come as `88.123` or `0.NA/88.123` (the id-pointer SDK
 * sends the first, CNRI the second): both name the prefix record.
 */
export function parseWireHandle(raw: string): ParsedIdentifier {
  return parseIdentifier(raw.includes('/') ? raw : naHandleOf(raw), 'text');
}

export interface ResolutionBody {
  readonly handle: Buffer;
  readonly indexes: readonly number[];
  readonly types: readonly string[];
}

const MAX_FILTERS = 100;

export function decodeResolution(body: Buffer): ResolutionBody {
  const r = new ByteReader(body);
  const handle = r.bytes('handle');
  const n = r.count('index count', 4);
  if (n > MAX_FILTERS) throw new WireError(`at most ${MAX_FILTERS} indexes`);
  const indexes: number[] = [];
  for (let i = 0; i < n; i++) indexes.push(r.i32('index'));
  const m = r.count('type count', 4);
  if (m > MAX_FILTERS) throw new WireError(`at most ${MAX_FILTERS} types`);
  const types: string[] = [];
  for (let i = 0; i < m; i++) types.push(r.utf8('type'));
  return { handle, indexes, types };
}

export const handleText = (b: Buffer): string => {
  const s = b.toString('utf8');
  if (!Buffer.from(s, 'utf8').equals(b)) throw new WireError('the handle is not valid UTF-8');
  return s;
};

export interface ValuesBody {
  readonly handle: string;
  readonly values: readonly WireValue[];
}

/** CREATE_HANDLE, ADD_VALUE, MODIFY_VALUE: handle, int4 count, values. */
export function decodeValuesBody(body: Buffer): ValuesBody {
  const r = new ByteReader(body);
  return { handle: r.utf8('handle'), values: decodeValues(r) };
}

/** DELETE_HANDLE: the handle only. */
export const decodeHandleBody = (body: Buffer): string => new ByteReader(body).utf8('handle');

/** REMOVE_VALUE: handle, int4 n, n indexes. */
export function decodeRemoveBody(body: Buffer): { handle: string; indexes: number[] } {
  const r = new ByteReader(body);
  const handle = r.utf8('handle');
  const n = r.count('index count', 4);
  const indexes: number[] = [];
  for (let i = 0; i < n; i++) indexes.push(r.i32('index'));
  return { handle, indexes };
}

/** RESPONSE_TO_CHALLENGE: authType, key handle, key index, answer bytes. */
export interface ChallengeAnswer {
  readonly authType: string;
  readonly keyHandle: string;
  readonly keyIndex: number;
  readonly answer: Buffer;
}

export function decodeChallengeAnswer(body: Buffer): ChallengeAnswer {
  const r = new ByteReader(body);
  return {
    authType: r.utf8('auth type'),
    keyHandle: r.utf8('key handle'),
    keyIndex: r.i32('key index'),
    answer: r.bytes('answer'),
  };
}
