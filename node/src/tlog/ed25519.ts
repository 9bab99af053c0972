import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

// DER prefixes of an Ed25519 PKCS#8 private key and SPKI public key (RFC 8410): raw key bytes follow.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface Ed25519Key {
  readonly privateKey: KeyObject;
  /** The raw 32-byte public key. */
  readonly publicKey: Buffer;
}

export function ed25519FromSeed(seed: Buffer): Ed25519Key {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: spki.subarray(SPKI_PREFIX.length) };
}

export const ed25519Sign = (key: KeyObject, message: Uint8Array): Buffer => sign(null, message, key);

export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  return verify(null, message, key, signature);
}
