import { createHash } from 'node:crypto';
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
export function valueDigest(v: HandleValue): Buffer {
  const shown = { index: v.index, type: v.type, data: v.data, ttl: v.ttl, timestamp: v.timestamp, access: v.access };
  return createHash('sha256').update(canonicalJson(shown)).digest();
}

export function valuesDigest(digests: readonly Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const d of digests) h.update(d);
  return h.digest();
}

export function leafData(e: ChangeEntry): Buffer {
  const values = valuesDigest(e.record.values.map(valueDigest)).toString('base64');
  const text = canonicalJson({ actor: e.actor, at: e.at, id: e.record.handle, op: e.op, values, version: e.version });
  const bytes = Buffer.from(text, 'utf8');
  // Identifiers and actors are bounded far below this; a breach is a bug, never a silent truncation.
  if (bytes.length > MAX_LEAF_BYTES)
    throw new RangeError(`leaf of seq ${String(e.seq)} is ${String(bytes.length)} bytes`);
  return bytes;
}
