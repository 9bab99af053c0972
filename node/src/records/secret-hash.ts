import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Admin secrets are stored as scrypt hashes (never in the clear) inside the HS_SECKEY value. */

export interface SecretHash {
  readonly alg: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
  readonly hash: string;
}

// N=2^14 costs ~30 ms on the 2-core machine: slow for guessing, tolerable because verified
// credentials are cached (auth/credential-cache.ts) instead of hashing on every request.
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LEN = 32;

function derive(secret: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFC'), salt, KEY_LEN, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashSecret(secret: string): Promise<SecretHash> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, PARAMS);
  return { alg: 'scrypt', ...PARAMS, salt: salt.toString('base64'), hash: key.toString('base64') };
}

export function isSecretHash(v: unknown): v is SecretHash {
  const h = v as Partial<SecretHash> | null;
  return (
    h !== null &&
    typeof h === 'object' &&
    h.alg === 'scrypt' &&
    typeof h.salt === 'string' &&
    typeof h.hash === 'string'
  );
}

export async function verifySecret(secret: string, stored: SecretHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const key = await derive(secret, Buffer.from(stored.salt, 'base64'), { N: stored.N, r: stored.r, p: stored.p });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
