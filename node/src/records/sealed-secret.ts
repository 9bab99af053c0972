/**
 * The stored (sealed) form of an HS_SECKEY value: `{format: "scrypt", value: {alg, N, r, p, salt,
 * hash}}` as records/secret-hash.ts writes it. Clients always send secrets in the clear and the node
 * seals them; only a principal that copies another node's stored values (sync from a secondary)
 * may hand over a value already sealed, and then only one that is well formed: exact fields, cost
 * parameters a verifier can afford (a hostile N or r would make every login cost seconds or fail),
 * base64 salt and hash of sane lengths.
 */

export const SEALED_SECRET_FORMAT = 'scrypt';

const FIELDS = ['N', 'alg', 'hash', 'p', 'r', 'salt'];
/** records/secret-hash.ts verifies with maxmem 64 MiB; scrypt needs 128 * N * r bytes. */
const MAX_SCRYPT_BYTES = 64 * 1024 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const intIn = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

function base64Bytes(v: unknown, lo: number, hi: number): boolean {
  if (typeof v !== 'string' || !BASE64.test(v)) return false;
  const bytes = Buffer.from(v, 'base64').length;
  return bytes >= lo && bytes <= hi;
}

/** Why `value` (the data.value of a format "scrypt" value) is not a well-formed sealed secret, or undefined. */
export function sealedSecretProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'a sealed secret is an object';
  const h = value as Record<string, unknown>;
  if (Object.keys(h).sort().join(',') !== FIELDS.join(',')) return `a sealed secret has exactly ${FIELDS.join(', ')}`;
  if (h.alg !== 'scrypt') return 'alg must be "scrypt"';
  if (!intIn(h.N, 1024, 2 ** 20) || (h.N & (h.N - 1)) !== 0) return 'N must be a power of two from 2^10 to 2^20';
  if (!intIn(h.r, 1, 32) || !intIn(h.p, 1, 16)) return 'r must be 1-32 and p 1-16';
  if (128 * h.N * h.r > MAX_SCRYPT_BYTES) return 'N * r needs more memory than a verifier allows';
  if (!base64Bytes(h.salt, 16, 64)) return 'salt must be base64 of 16 to 64 bytes';
  if (!base64Bytes(h.hash, 32, 64)) return 'hash must be base64 of 32 to 64 bytes';
  return undefined;
}
