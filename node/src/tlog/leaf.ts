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
 */

/** tlog-tiles entry bundles prefix each entry with a uint16 length. */
export const MAX_LEAF_BYTES = 65_535;

/** SHA-256 of the value's JCS form, as the REST API renders it: {access, data, index, timestamp, ttl, type}. */
const str = (s: string): string => JSON.stringify(s);
const sha256 = (data: string | Buffer): Buffer => hash('sha256', data, 'buffer');

/** {format, value} in JCS order; the value (a string, usually) through the general encoder. */
const dataJson = (d: HandleValue['data']): string =>
  `{"format":${str(d.format)},"value":${typeof d.value === 'string' ? str(d.value) : canonicalJson(d.value)}}`;

export function valueDigest(v: HandleValue): Buffer {
  // The JCS member order written out (a, d, i, ti, tt, ty): the hashing of every change runs here.
  const json = `{"access":${str(v.access)},"data":${dataJson(v.data)},"index":${String(v.index)},"timestamp":${str(v.timestamp)},"ttl":${String(v.ttl)},"type":${str(v.type)}}`;
  return sha256(json);
}

export function valuesDigest(digests: readonly Buffer[]): Buffer {
  return sha256(Buffer.concat(digests));
}

export function leafData(e: ChangeEntry): Buffer {
  const values = valuesDigest(e.record.values.map(valueDigest)).toString('base64');
  const text = `{"actor":${str(e.actor)},"at":${str(e.at)},"id":${str(e.record.handle)},"op":${str(e.op)},"values":${str(values)},"version":${String(e.version)}}`;
  const bytes = Buffer.from(text, 'utf8');
  // Identifiers and actors are bounded far below this; a breach is a bug, never a silent truncation.
  if (bytes.length > MAX_LEAF_BYTES)
    throw new RangeError(`leaf of seq ${String(e.seq)} is ${String(bytes.length)} bytes`);
  return bytes;
}
