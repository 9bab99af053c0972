import { createHash, createHmac, pbkdf2, timingSafeEqual } from 'node:crypto';

/**
 * Verifies a Handle secret-key challenge answer (shared/research/handle_protocol.md §5.2; CNRI
 * verifies by the algorithm byte the answer carries, whatever the version, and so do we):
 * - 0x01 MD5, 0x02 SHA-1, 0x03 SHA-256: H(secret ‖ nonce ‖ digest ‖ secret);
 * - 0x12 HMAC-SHA1, 0x13 HMAC-SHA256: HMAC(key = secret, nonce ‖ digest);
 * - 0x22 PBKDF2: int4 saltLen · salt · int4 iterations · int4 keyBits · int4 macLen · mac, with
 *   key = PBKDF2-HMAC-SHA1(secret, salt, iterations, keyBits) and mac = HMAC-SHA1(key, nonce ‖ digest);
 * - protocol < 2.1: the 16 bytes of MD5(secret ‖ nonce ‖ digest ‖ secret), no algorithm byte.
 *   Told apart by length alone: every typed answer is at least 17 bytes (1 + MD5's 16; 0x22's
 *   fixed fields are 17), so a 16-byte answer can only be the legacy form.
 * `digest` is whatever the client mixed in: the request digest of the native protocol, the client
 * nonce (cnonce) of the REST sessions API.
 */

export interface ChallengeAnswer {
  /** The admin's secret key bytes (auth/seal/stored-secret.ts openSecret). */
  readonly secret: Buffer;
  /** The server's nonce, as sent in the challenge. */
  readonly nonce: Buffer;
  readonly digest: Buffer;
  /** The answer bytes as the client sent them. */
  readonly answer: Buffer;
}

export const ANSWER = {
  MD5: 0x01,
  SHA1: 0x02,
  SHA256: 0x03,
  HMAC_SHA1: 0x12,
  HMAC_SHA256: 0x13,
  PBKDF2_HMAC_SHA1: 0x22,
} as const;

/** Bounds on what a client may ask the server to compute: CNRI sends 10,000 iterations and 160 bits. */
export const PBKDF2_LIMITS = { maxIterations: 100_000, maxKeyBits: 512, maxSaltBytes: 256 } as const;

const LEGACY_MD5_BYTES = 16;

const sandwich = (alg: string, a: ChallengeAnswer): Buffer =>
  createHash(alg).update(a.secret).update(a.nonce).update(a.digest).update(a.secret).digest();

const hmac = (alg: string, key: Buffer, a: ChallengeAnswer): Buffer =>
  createHmac(alg, key).update(a.nonce).update(a.digest).digest();

const same = (expected: Buffer, given: Buffer): boolean =>
  expected.length === given.length && timingSafeEqual(expected, given);

interface Pbkdf2Answer {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly keyBits: number;
  readonly mac: Buffer;
}

/** The 0x22 fields after the algorithm byte, exactly (no trailing bytes), within PBKDF2_LIMITS. */
function parsePbkdf2(b: Buffer): Pbkdf2Answer | undefined {
  if (b.length < 16) return undefined;
  const saltLen = b.readInt32BE(0);
  if (saltLen < 0 || saltLen > PBKDF2_LIMITS.maxSaltBytes || b.length < 4 + saltLen + 12) return undefined;
  const salt = b.subarray(4, 4 + saltLen);
  let at = 4 + saltLen;
  const iterations = b.readInt32BE(at);
  const keyBits = b.readInt32BE(at + 4);
  const macLen = b.readInt32BE(at + 8);
  at += 12;
  if (iterations < 1 || iterations > PBKDF2_LIMITS.maxIterations) return undefined;
  if (keyBits < 8 || keyBits > PBKDF2_LIMITS.maxKeyBits || keyBits % 8 !== 0) return undefined;
  if (macLen !== 20 || b.length !== at + macLen) return undefined;
  return { salt, iterations, keyBits, mac: b.subarray(at) };
}

function derive(secret: Buffer, p: Pbkdf2Answer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(secret, p.salt, p.iterations, p.keyBits / 8, 'sha1', (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Whether `answer` proves knowledge of `secret` for this nonce and digest. Malformed answers are false. */
export async function verifyChallengeAnswer(a: ChallengeAnswer): Promise<boolean> {
  const { answer } = a;
  if (answer.length === LEGACY_MD5_BYTES) return same(sandwich('md5', a), answer);
  if (answer.length < 2) return false;
  const body = answer.subarray(1);
  switch (answer.readUInt8(0)) {
    case ANSWER.MD5:
      return same(sandwich('md5', a), body);
    case ANSWER.SHA1:
      return same(sandwich('sha1', a), body);
    case ANSWER.SHA256:
      return same(sandwich('sha256', a), body);
    case ANSWER.HMAC_SHA1:
      return same(hmac('sha1', a.secret, a), body);
    case ANSWER.HMAC_SHA256:
      return same(hmac('sha256', a.secret, a), body);
    case ANSWER.PBKDF2_HMAC_SHA1: {
      const p = parsePbkdf2(body);
      return p !== undefined && same(hmac('sha1', await derive(a.secret, p), a), p.mac);
    }
    default:
      return false;
  }
}
