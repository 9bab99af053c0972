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
const sha256 = (data: string | Buffer): Buffer => hash('sha256', data, 'buffer');
/** SHA-256 of nothing: the values digest of a tombstone. */
const NO_VALUES = sha256('').toString('base64');

/** {format, value} in JCS order; the value (a string, usually) through the general encoder. */
const dataJson = (d: HandleValue['data']): string =>
  `{"format":${str(d.format)},"value":${typeof d.value === 'string' ? str(d.value) : canonicalJson(d.value)}}`;

/** SHA-256 of the value's JCS form, as the REST API renders it: {access, data, index, timestamp, ttl, type}. */
export function valueDigest(v: HandleValue): Buffer {
  const json = `{"access":${str(v.access)},"data":${dataJson(v.data)},"index":${String(v.index)},"timestamp":${str(v.timestamp)},"ttl":${String(v.ttl)},"type":${str(v.type)}}`;
  return sha256(json);
}

export function valuesDigest(digests: readonly Buffer[]): Buffer {
  return sha256(Buffer.concat(digests));
}

function valuesField(values: readonly HandleValue[]): string {
  if (values.length === 0) return NO_VALUES;
  if (values.length === 1) return sha256(valueDigest(values[0]!)).toString('base64');
  return valuesDigest(values.map(valueDigest)).toString('base64');
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
 * The RFC 6962 leaf hash of leafData(e), SHA-256(0x00 ‖ bytes), hashed from the text: U+0000 is
 * the byte 0x00 in UTF-8, so no Buffer of the leaf is made. A UTF-8 text is at most 3 bytes per
 * UTF-16 unit: its exact length is only counted when that bound passes the limit.
 */
export function leafHashOfEntry(e: ChangeEntry): Buffer {
  const text = leafText(e);
  if (text.length * 3 > MAX_LEAF_BYTES) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_LEAF_BYTES) throw tooLong(e, bytes);
  }
  return sha256(`\u0000${text}`);
}
