import { parseIdentifier } from '#core/identifier/index';
import type { IdentifierChange } from '#core/records/change-set';
import { ADMIN_KEY_INDEX, newSecret, prefixAdminInput, secretKeyInput } from '#core/records/prefix-admin';
import { isLive, type StoredRecord } from '#core/records/types';
import { adminHandleOf, naHandleOf, valueInput } from './registry-records.ts';

/**
 * The two records that make an allocated prefix real, as the node's bootstrap writes them for
 * homed prefixes: `0.NA/<prefix>` (HS_ADMIN naming `<prefix>/ADMIN` at index 300, all rights)
 * and `<prefix>/ADMIN` (its HS_SECKEY at 300; RecordService stores it only sealed, and the
 * secret itself leaves once, in the approval's answer). Returned as changes, never written here.
 */

export { ADMIN_KEY_INDEX };
const OWNER_INDEX = 2;
const OWNER_TYPE = 'IDN_PREFIX_OWNER';

export interface PrefixOwner {
  readonly applicationId: string;
  readonly companyName: string;
  readonly creditCode: string;
}

export const ownerOf = (record: StoredRecord | undefined): PrefixOwner | undefined =>
  record?.values.find((v) => v.index === OWNER_INDEX && v.type === OWNER_TYPE)?.data.value as PrefixOwner | undefined;

/**
 * Creates `0.NA/<prefix>` for this owner; nothing when this application's record is already there
 * (an approval an older version left half done). Anyone else's fails the commit as existing.
 */
export function prefixRecordChange(
  prefix: string,
  owner: PrefixOwner,
  existing: StoredRecord | undefined,
): IdentifierChange | undefined {
  if (isLive(existing) && ownerOf(existing)?.applicationId === owner.applicationId) return undefined;
  const id = parseIdentifier(naHandleOf(prefix), 'text');
  const ownerValue = valueInput(OWNER_INDEX, OWNER_TYPE, { format: 'json', value: owner }, 'authority');
  return { op: 'create', id, values: [prefixAdminInput(adminHandleOf(prefix)), ownerValue] };
}

/**
 * `<prefix>/ADMIN` with a fresh secret, and the secret. An existing admin record (left by an
 * interrupted approval of an older version) is re-keyed at the version read: its secret was
 * never stored in the clear, so it cannot be handed out again.
 */
export function adminRecordChange(
  prefix: string,
  existing: StoredRecord | undefined,
): { readonly change: IdentifierChange; readonly secret: string } {
  const id = parseIdentifier(adminHandleOf(prefix), 'text');
  const secret = newSecret();
  const values = [prefixAdminInput(id.handle), secretKeyInput(secret)];
  const change: IdentifierChange = isLive(existing)
    ? { op: 'replace', id, values, ifMatch: existing.version }
    : { op: 'create', id, values };
  return { change, secret };
}
