import { hash } from 'node:crypto';
import type { HandleValue } from '../records/types.ts';
import type { ChangeEntry } from '../store/store.ts';
import { canonicalJson } from './canonical-json.ts';

/**
 * The bytes of leaf i: the change-log entry with seq i+1, as the JCS (RFC 8785) object
 *   {"actor", "at", "id", "op", "values", "version"}
 * with id the registered spelling of the identifier, op "put" or "delete", at the change time
 * (ISO 8601, as the change log keeps it), and values the base64 SHA-256 of the concatenated
 * value digests (valueDigest, in record order; the empty string's hash for a tombstone). A
 * reader who sees only some values (access tiers) still checks them: it gets every value's
 * digest with the proof, recomputes the ones it sees, and hashes the list. docs/adr/0012.
 *
 * Every change is hashed here, so the JCS text is written out with its members in their fixed,
 * sorted order rather than through the general encoder: the member names are constants, the
 * strings go through JSON.stringify (whose escaping is JCS's, RFC 8785 §3.2.2.2) and the
 * integers through String (ECMAScript number serialisation, §3.2.2.3). Same bytes; the
 * independent verifier (node/test/tlog/verifier) checks that.
 */

/** tlog-tiles entry bundles prefix each entry with a uint16 length. */
export const MAX_LEAF_BYTES = 65_535;

const str = (s: string): string => JSON.stringify(s);
/**
 * SHA-256 as a binary ("latin1") string: crypto.hash returns strings about three times faster
 * than Buffers (no backing store per call); the bytes go into one buffer with Buffer#write.
 */
const sha256Bin = (data: string | Buffer): string => hash('sha256', data, 'binary');
/** SHA-256 of nothing: the values digest of a tombstone. */
const NO_VALUES = hash('sha256', '', 'base64');

/** {format, value} in JCS order; the value (a string, usually) through the general encoder. */
const dataJson = (d: HandleValue['data']): string =>
  `{"format":${str(d.format)},"value":${typeof d.value === 'string' ? str(d.value) : canonicalJson(d.value)}}`;

/** The value's JCS form, as the REST API renders it: {access, data, index, timestamp, ttl, type}. */
const valueJson = (v: HandleValue): string =>
  `{"access":${str(v.access)},"data":${dataJson(v.data)},"index":${String(v.index)},"timestamp":${str(v.timestamp)},"ttl":${String(v.ttl)},"type":${str(v.type)}}`;

/** SHA-256 of the value's JCS form. */
export function valueDigest(v: HandleValue): Buffer {
  return hash('sha256', valueJson(v), 'buffer');
}

export function valuesDigest(digests: readonly Buffer[]): Buffer {
  return hash('sha256', Buffer.concat(digests), 'buffer');
}

/** The value digests, back to back (reused: the hashing below is synchronous). */
let digestBytes = Buffer.alloc(32 * 16);

/** base64 SHA-256 of the concatenated value digests: the leaf's "values". */
function valuesField(values: readonly HandleValue[]): string {
  if (values.length === 0) return NO_VALUES;
  if (values.length * 32 > digestBytes.length) digestBytes = Buffer.alloc(values.length * 64);
  for (let i = 0; i < values.length; i++) digestBytes.write(sha256Bin(valueJson(values[i]!)), i * 32, 'latin1');
  return hash('sha256', digestBytes.subarray(0, values.length * 32), 'base64');
}

/** The leaf's JCS text (its bytes are this text in UTF-8). */
function leafText(e: ChangeEntry): string {
  const values = valuesField(e.record.values);
  return `{"actor":${str(e.actor)},"at":${str(e.at)},"id":${str(e.record.handle)},"op":${str(e.op)},"values":"${values}","version":${String(e.version)}}`;
}

// Identifiers and actors are bounded far below MAX_LEAF_BYTES; a breach is a bug, never a silent truncation.
const tooLong = (e: ChangeEntry, bytes: number): RangeError =>
  new RangeError(`leaf of seq ${String(e.seq)} is ${String(bytes)} bytes`);

export function leafData(e: ChangeEntry): Buffer {
  const bytes = Buffer.from(leafText(e), 'utf8');
  if (bytes.length > MAX_LEAF_BYTES) throw tooLong(e, bytes.length);
  return bytes;
}

/**
 * Writes the RFC 6962 leaf hash of leafData(e), SHA-256(0x00 ‖ bytes), into `out` at `offset`,
 * hashed from the text: U+0000 is the byte 0x00 in UTF-8, so no Buffer of the leaf is made. A
 * UTF-8 text is at most 3 bytes per UTF-16 unit: its exact length is only counted when that
 * bound passes the limit.
 */
export function writeLeafHash(e: ChangeEntry, out: Buffer, offset: number): void {
  const text = leafText(e);
  if (text.length * 3 > MAX_LEAF_BYTES) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_LEAF_BYTES) throw tooLong(e, bytes);
  }
  out.write(sha256Bin(`\u0000${text}`), offset, 'latin1');
}

export function leafHashOfEntry(e: ChangeEntry): Buffer {
  const out = Buffer.allocUnsafe(32);
  writeLeafHash(e, out, 0);
  return out;
}
