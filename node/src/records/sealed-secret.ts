/**
 * The stored forms of an HS_SECKEY value. Clients always send secrets in the clear and the node
 * stores them in one of two forms:
 * - `{format: "sealed", value: {alg: "A256GCM", kid, iv, ct, tag}}`: AES-256-GCM under a node
 *   seal key (auth/seal/keyring.ts), reversible so that the node can verify Handle
 *   challenge-response answers, which need the secret itself (ADR 0002). Written since ADR 0002.
 * - `{format: "scrypt", value: {alg, N, r, p, salt, hash}}` (auth/secret-hash.ts): the form
 *   written before; still verified for Basic auth (and re-sealed then), never able to answer a
 *   challenge.
 * Only a principal that copies another node's stored values (sync from a secondary) may hand
 * over a value already in a stored form, and then only one that is well formed: exact fields,
 * sane lengths, and for scrypt cost parameters a verifier can afford (a hostile N or r would make
 * every login cost seconds or fail).
 */

export const SEALED_FORMAT = 'sealed';
export const SCRYPT_FORMAT = 'scrypt';
/** Every stored form of a secret, as `validateValues` accepts it from a principal copying stored values. */
export const STORED_SECRET_FORMATS: readonly string[] = [SEALED_FORMAT, SCRYPT_FORMAT];

/** AES-256-GCM: 12-byte IV, 16-byte tag; a secret is 12 to 256 characters, at most 1024 UTF-8 bytes. */
export const SEAL_ALG = 'A256GCM';
const SEALED_FIELDS = ['alg', 'ct', 'iv', 'kid', 'tag'];
const MAX_SECRET_BYTES = 1024;
const KID = /^[A-Za-z0-9_-]{8,64}$/;

const SCRYPT_FIELDS = ['N', 'alg', 'hash', 'p', 'r', 'salt'];
/** auth/secret-hash.ts verifies with maxmem 64 MiB; scrypt needs 128 * N * r bytes. */
const MAX_SCRYPT_BYTES = 64 * 1024 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The value of a sealed secret, as stored. */
export interface SealedSecret {
  readonly alg: typeof SEAL_ALG;
  /** Names the seal key (auth/seal/keyring.ts kidOf): another node's key has another kid. */
  readonly kid: string;
  readonly iv: string;
  readonly ct: string;
  readonly tag: string;
}

const intIn = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

function base64Bytes(v: unknown, lo: number, hi: number): boolean {
  if (typeof v !== 'string' || !BASE64.test(v)) return false;
  const bytes = Buffer.from(v, 'base64').length;
  return bytes >= lo && bytes <= hi;
}

function objectWith(value: unknown, fields: readonly string[]): Record<string, unknown> | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'a sealed secret is an object';
  const h = value as Record<string, unknown>;
  if (Object.keys(h).sort().join(',') !== fields.join(',')) return `a sealed secret has exactly ${fields.join(', ')}`;
  return h;
}

function scryptProblem(value: unknown): string | undefined {
  const h = objectWith(value, SCRYPT_FIELDS);
  if (typeof h === 'string') return h;
  if (h.alg !== 'scrypt') return 'alg must be "scrypt"';
  if (!intIn(h.N, 1024, 2 ** 20) || (h.N & (h.N - 1)) !== 0) return 'N must be a power of two from 2^10 to 2^20';
  if (!intIn(h.r, 1, 32) || !intIn(h.p, 1, 16)) return 'r must be 1-32 and p 1-16';
  if (128 * h.N * h.r > MAX_SCRYPT_BYTES) return 'N * r needs more memory than a verifier allows';
  if (!base64Bytes(h.salt, 16, 64)) return 'salt must be base64 of 16 to 64 bytes';
  if (!base64Bytes(h.hash, 32, 64)) return 'hash must be base64 of 32 to 64 bytes';
  return undefined;
}

function sealedProblem(value: unknown): string | undefined {
  const h = objectWith(value, SEALED_FIELDS);
  if (typeof h === 'string') return h;
  if (h.alg !== SEAL_ALG) return `alg must be "${SEAL_ALG}"`;
  if (typeof h.kid !== 'string' || !KID.test(h.kid)) return 'kid must be 8 to 64 base64url characters';
  if (!base64Bytes(h.iv, 12, 12)) return 'iv must be base64 of 12 bytes';
  if (!base64Bytes(h.ct, 1, MAX_SECRET_BYTES)) return `ct must be base64 of 1 to ${MAX_SECRET_BYTES} bytes`;
  if (!base64Bytes(h.tag, 16, 16)) return 'tag must be base64 of 16 bytes';
  return undefined;
}

/**
 * Why `value` (the data.value of a secret in stored form `format`) is not well formed, or undefined.
 * With one argument: the scrypt form (the signature before sealing).
 */
export function sealedSecretProblem(value: unknown, format: string = SCRYPT_FORMAT): string | undefined {
  if (format === SEALED_FORMAT) return sealedProblem(value);
  if (format === SCRYPT_FORMAT) return scryptProblem(value);
  return `a stored secret has format ${STORED_SECRET_FORMATS.map((f) => `"${f}"`).join(' or ')}`;
}

export const isSealedSecret = (v: unknown): v is SealedSecret => sealedProblem(v) === undefined;
