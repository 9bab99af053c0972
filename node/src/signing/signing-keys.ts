import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { publicJwk, type PublicJwk } from './jwk.ts';
import type { SigningSeeds } from './key-file.ts';

/** PKCS#8 for an Ed25519 seed (RFC 8410 §7): a fixed 16-byte header, then the 32 seed bytes. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

interface SigningKey {
  readonly kid: string;
  readonly jwk: PublicJwk;
  readonly publicKey: Buffer;
}

function keyOf(seed: Buffer): SigningKey & { readonly privateKey: KeyObject } {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x ?? '';
  const publicKey = Buffer.from(x, 'base64url');
  const jwk = publicJwk(publicKey);
  return { kid: jwk.kid, jwk, publicKey, privateKey };
}

/**
 * The node's signing keys: the current one signs, the previous one is only published. The
 * private key stays a KeyObject inside this class: nothing serialises, logs or returns it.
 */
export class SigningKeys {
  readonly #current: KeyObject;
  readonly current: SigningKey;
  readonly previous: readonly SigningKey[];

  private constructor(seeds: SigningSeeds) {
    const { privateKey, ...current } = keyOf(seeds.current);
    this.#current = privateKey;
    this.current = current;
    this.previous = seeds.previous.map((s) => {
      const { privateKey: _unused, ...pub } = keyOf(s);
      return pub;
    });
  }

  static of(seeds: SigningSeeds): SigningKeys {
    return new SigningKeys(seeds);
  }

  /** RFC 8032 Ed25519 over the bytes (no pre-hash), 64 bytes. */
  sign(data: Buffer): Buffer {
    return sign(null, data, this.#current);
  }

  /** The JWK Set of /.well-known/jwks.json: current first, then previous keys. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: [this.current.jwk, ...this.previous.map((k) => k.jwk)] };
  }

  /** Never the key material, whatever logs or inspects this object. */
  toJSON(): object {
    return { current: this.current.kid, previous: this.previous.map((k) => k.kid) };
  }
}
