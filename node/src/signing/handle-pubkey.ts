/**
 * The Handle key encoding of HS_PUBKEY data (RFC 3651 §3.2.x; HS9 `Util.getPublicKeyFromBytes`):
 * key type (int4 length + UTF-8), int2 flags (0), then the key. The Handle specifications define
 * RSA, DSA and DH keys only; for Ed25519 idnode writes the type `ED25519_PUB_KEY` (by analogy with
 * `RSA_PUB_KEY` / `DSA_PUB_KEY`) followed by one byte array (int4 length + the 32-byte RFC 8032
 * public key). A Handle client that does not know the type skips the value, as it does for SM2.
 */
export const ED25519_KEY_TYPE = 'ED25519_PUB_KEY';

function int4(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function encodeHandlePublicKey(publicKey: Buffer): Buffer {
  const type = Buffer.from(ED25519_KEY_TYPE, 'utf8');
  return Buffer.concat([int4(type.length), type, Buffer.alloc(2), int4(publicKey.length), publicKey]);
}

/** The 32-byte key of an `ED25519_PUB_KEY` value, or undefined for any other encoding. */
export function decodeHandlePublicKey(data: Buffer): Buffer | undefined {
  if (data.length < 4) return undefined;
  const typeLength = data.readUInt32BE(0);
  const type = data.subarray(4, 4 + typeLength).toString('utf8');
  const at = 4 + typeLength + 2;
  if (type !== ED25519_KEY_TYPE || data.length < at + 4) return undefined;
  const keyLength = data.readUInt32BE(at);
  const key = data.subarray(at + 4, at + 4 + keyLength);
  return keyLength === 32 && key.length === 32 ? key : undefined;
}
