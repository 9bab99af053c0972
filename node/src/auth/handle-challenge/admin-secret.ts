import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier } from '../../identifier/index.ts';
import { isSecretKeyType } from '../../records/admin-value.ts';
import { isLive, type StoredRecord } from '../../records/types.ts';
import type { ReadonlyStore } from '../../store/store.ts';
import type { SecretKeyring } from '../seal/keyring.ts';
import { openSecret } from '../seal/stored-secret.ts';

/** An admin as Handle names it: the HS_SECKEY at `index` of the record `handle`. */
export interface AdminRef {
  readonly handle: string;
  readonly index: number;
}

export interface AdminSecret {
  /** The secret's bytes: zero them (`fill(0)`) once the answer is verified; never log them. */
  readonly secret: Buffer;
  /** The admin record it came from (its version binds what the identity may do afterwards). */
  readonly record: StoredRecord;
}

/**
 * The cleartext secret key of an admin, for verifying a challenge answer. Throws
 * IDN_ERR_CHALLENGE_FAILED when the handle has no live record or no secret key at that index (the
 * same answer as a wrong secret: which admins exist is not told), IDN_ERR_SECRET_UNUSABLE when
 * the stored key cannot be opened (legacy scrypt, sealed by another node, altered).
 */
export async function adminSecret(store: ReadonlyStore, keyring: SecretKeyring, ref: AdminRef): Promise<AdminSecret> {
  let key: string;
  try {
    key = parseIdentifier(ref.handle, 'text').key;
  } catch {
    throw new IdnError('IDN_ERR_CHALLENGE_FAILED');
  }
  const record = await store.get(key);
  const value = isLive(record)
    ? record.values.find((v) => v.index === ref.index && isSecretKeyType(v.type))
    : undefined;
  if (!isLive(record) || value === undefined) throw new IdnError('IDN_ERR_CHALLENGE_FAILED');
  return { secret: openSecret(keyring, value.data), record };
}
