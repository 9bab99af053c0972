import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { IdnError } from '../../errors/idn-error.ts';
import { SEAL_ALG, type SealedSecret } from '../../records/sealed-secret.ts';

/**
 * The node's seal keys (ADR 0002). Secrets are sealed with AES-256-GCM under the current key;
 * a sealed value names its key by `kid`, a digest of the key, so a value sealed by another node
 * (a secondary's copy synced upward) is recognised as foreign instead of failing as tampered.
 * Older keys may be kept for opening only, so the seal key can be rotated (ADR 0002 "Rotation").
 * The keyring never logs, prints or serialises a key or a secret.
 */

const KEY_BYTES = 32;
const IV_BYTES = 12;

/** The key's name in sealed values: not secret (a one-way digest), stable for one key. */
export function kidOf(key: Buffer): string {
  return createHash('sha256').update('idnode-seal-kid\0').update(key).digest().subarray(0, 12).toString('base64url');
}

/** Binds a ciphertext to its purpose and key: it cannot be replayed as anything but an HS_SECKEY. */
const aadOf = (kid: string): Buffer => Buffer.from(`idnode:HS_SECKEY:${SEAL_ALG}:${kid}`);

export class SecretKeyring {
  readonly #current: Buffer;
  readonly #byKid: ReadonlyMap<string, Buffer>;
  /** kid of the key new secrets are sealed under. */
  readonly kid: string;

  private constructor(current: Buffer, previous: readonly Buffer[]) {
    for (const k of [current, ...previous]) {
      if (k.length !== KEY_BYTES) throw new Error(`a seal key is ${KEY_BYTES} bytes, not ${k.length}`);
    }
    this.#current = current;
    this.kid = kidOf(current);
    this.#byKid = new Map([current, ...previous].map((k) => [kidOf(k), k]));
  }

  /** The node's keyring: `current` seals, `previous` keys (rotated out) still open. */
  static of(current: Buffer, previous: readonly Buffer[] = []): SecretKeyring {
    return new SecretKeyring(current, previous);
  }

  /** A keyring whose key lives only in this process: for tests and tools, never for a node's data. */
  static ephemeral(): SecretKeyring {
    return new SecretKeyring(randomBytes(KEY_BYTES), []);
  }

  /** Whether this keyring holds the key that sealed `sealed` (false: sealed by another node). */
  holds(sealed: SealedSecret): boolean {
    return this.#byKid.has(sealed.kid);
  }

  /** Whether `sealed` is under an older key than the current one (re-seal it when convenient). */
  isStale(sealed: SealedSecret): boolean {
    return sealed.kid !== this.kid;
  }

  seal(secret: Buffer | string): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current, iv);
    cipher.setAAD(aadOf(this.kid));
    const ct = Buffer.concat([
      cipher.update(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret),
      cipher.final(),
    ]);
    return {
      alg: SEAL_ALG,
      kid: this.kid,
      iv: iv.toString('base64'),
      ct: ct.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  /**
   * The secret's bytes. Throws IDN_ERR_SECRET_UNUSABLE for a value sealed under a key this node
   * does not hold (another node's copy) or one that does not authenticate (altered, or a wrong key
   * with a colliding kid); the message never contains the secret.
   */
  open(sealed: SealedSecret): Buffer {
    const key = this.#byKid.get(sealed.kid);
    if (key === undefined) {
      throw new IdnError(
        'IDN_ERR_SECRET_UNUSABLE',
        'This secret key was sealed by another node (a synced copy): authenticate at the node that homes the admin.',
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'), { authTagLength: 16 });
      decipher.setAAD(aadOf(sealed.kid));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
    } catch {
      throw new IdnError(
        'IDN_ERR_SECRET_UNUSABLE',
        'This sealed secret key does not authenticate under the seal key (altered, or the seal key was replaced): set it again.',
      );
    }
  }
}
