import { ADMIN_KEY_INDEX, newSecret, prefixAdminValue, secretKeyValue } from '../../node/src/records/prefix-admin.ts';
import type { StoredRecord } from '../../node/src/records/types.ts';
import type { ChangeMeta, Store } from '../../node/src/store/store.ts';
import { adminHandleOf, jsonValue, keyOf, naHandleOf } from './registry-records.ts';

/**
 * The two records that make an allocated prefix real, as the node's bootstrap writes them for
 * homed prefixes: `0.NA/<prefix>` (HS_ADMIN naming `<prefix>/ADMIN` at index 300, all rights)
 * and `<prefix>/ADMIN` (its HS_SECKEY at 300, an scrypt hash; the secret itself leaves once).
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
 * Creates `0.NA/<prefix>` for this owner. Re-running for the same application (a retried
 * approval after a crash) finds its own record and goes on; anyone else's is IDN_ERR_ALREADY_EXISTS.
 */
export async function ensurePrefixRecord(
  store: Store,
  prefix: string,
  owner: PrefixOwner,
  meta: ChangeMeta,
): Promise<void> {
  const handle = naHandleOf(prefix);
  const existing = await store.get(keyOf(handle));
  if (existing?.deletedAt === undefined && ownerOf(existing)?.applicationId === owner.applicationId) return;
  const now = new Date().toISOString();
  const values = [
    prefixAdminValue(adminHandleOf(prefix), now),
    jsonValue(OWNER_INDEX, OWNER_TYPE, owner, now, 'authority'),
  ];
  await store.put(keyOf(handle), { handle, values }, { expectAbsent: true }, meta);
}

/**
 * Writes `<prefix>/ADMIN` with a fresh secret and returns the secret. An existing admin record
 * (a retried approval) is re-keyed: the earlier secret was never stored, so it cannot be handed out again.
 */
export async function issueAdminSecret(store: Store, prefix: string, meta: ChangeMeta): Promise<string> {
  const handle = adminHandleOf(prefix);
  const existing = await store.get(keyOf(handle));
  const now = new Date().toISOString();
  const secret = newSecret();
  const values = [prefixAdminValue(adminHandleOf(prefix), now), await secretKeyValue(secret, now)];
  const cond = existing === undefined ? ({ expectAbsent: true } as const) : { expectVersion: existing.version };
  await store.put(keyOf(handle), { handle, values }, cond, meta);
  return secret;
}
