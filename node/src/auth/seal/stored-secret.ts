import { timingSafeEqual } from 'node:crypto';
import { IdnError } from '../../errors/idn-error.ts';
import { isSealedSecret, SCRYPT_FORMAT, SEALED_FORMAT } from '../../records/sealed-secret.ts';
import type { ValueData } from '../../records/types.ts';
import { isSecretHash, verifySecret } from '../secret-hash.ts';
import type { SecretKeyring } from './keyring.ts';

/**
 * What the node can do with a stored HS_SECKEY value (records/sealed-secret.ts): a sealed one
 * (under this node's keyring) answers both Basic and challenge-response; a legacy scrypt one only
 * Basic; one sealed by another node (a synced copy) neither: the top-level keeps such copies
 * opaque and never verifies against them (ADR 0002 "Sync").
 */

/** How a Basic secret matched: 'sealed' or 'scrypt' (legacy: re-seal it), or false. */
export type SecretMatch = 'sealed' | 'scrypt' | false;

/** Equal bytes, in time independent of where they differ (lengths may differ: that is not secret). */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether `secret` (as a Basic client sends it) is the one stored in `data`. */
export async function matchStoredSecret(
  keyring: SecretKeyring,
  data: ValueData | undefined,
  secret: string,
): Promise<SecretMatch> {
  if (data?.format === SEALED_FORMAT && isSealedSecret(data.value)) {
    if (!keyring.holds(data.value)) return false;
    try {
      return sameBytes(keyring.open(data.value), Buffer.from(secret, 'utf8')) ? 'sealed' : false;
    } catch {
      return false;
    }
  }
  if (data?.format === SCRYPT_FORMAT && isSecretHash(data.value)) {
    return (await verifySecret(secret, data.value)) ? 'scrypt' : false;
  }
  return false;
}

/**
 * The cleartext bytes of a stored secret, for challenge-response (Handle native protocol, REST
 * sessions). Throws IDN_ERR_SECRET_UNUSABLE, naming the fix, for a legacy scrypt value, a value
 * sealed by another node, or one that does not authenticate. Never log what this returns.
 */
export function openSecret(keyring: SecretKeyring, data: ValueData | undefined): Buffer {
  if (data?.format === SEALED_FORMAT && isSealedSecret(data.value)) return keyring.open(data.value);
  if (data?.format === SCRYPT_FORMAT) {
    throw new IdnError(
      'IDN_ERR_SECRET_UNUSABLE',
      'This secret key is stored as an scrypt hash (written before idnode sealed secrets), which cannot answer a ' +
        'challenge: log in once with HTTP Basic (the node then re-seals it) or set the secret again.',
    );
  }
  throw new IdnError('IDN_ERR_SECRET_UNUSABLE', 'The value is not a stored secret key.');
}
