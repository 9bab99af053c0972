import { hashSecret } from '../../node/src/auth/secret-hash.ts';
import { randomBytes } from 'node:crypto';
import { formatPermissions, PERM_ALL } from '../../node/src/records/permissions.ts';
import type { HandleValue, StoredRecord } from '../../node/src/records/types.ts';
import type { ChangeMeta, Store } from '../../node/src/store/store.ts';
import { adminHandleOf, jsonValue, keyOf, naHandleOf } from './registry-records.ts';

/**
 * The two records that make an allocated prefix real, as the node's bootstrap writes them for
 * homed prefixes: `0.NA/<prefix>` (HS_ADMIN naming `<prefix>/ADMIN` at index 300, all rights)
 * and `<prefix>/ADMIN` (its HS_SECKEY at 300, an scrypt hash; the secret itself leaves once).
 */

export const ADMIN_KEY_INDEX = 300;
const OWNER_INDEX = 2;
const OWNER_TYPE = 'IDN_PREFIX_OWNER';

export interface PrefixOwner {
  readonly applicationId: string;
  readonly companyName: string;
  readonly creditCode: string;
}

const newSecret = (): string => randomBytes(24).toString('base64url');

function adminValue(prefix: string, now: string): HandleValue {
  const value = { handle: adminHandleOf(prefix), index: ADMIN_KEY_INDEX, permissions: formatPermissions(PERM_ALL) };
  return {
    index: 100,
    type: 'HS_ADMIN',
    data: { format: 'admin', value },
    ttl: 86_400,
    timestamp: now,
    access: 'public',
  };
}

async function secretValue(secret: string, now: string): Promise<HandleValue> {
  const data = { format: 'scrypt', value: await hashSecret(secret) };
  return { index: ADMIN_KEY_INDEX, type: 'HS_SECKEY', data, ttl: 86_400, timestamp: now, access: 'authority' };
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
  const values = [adminValue(prefix, now), jsonValue(OWNER_INDEX, OWNER_TYPE, owner, now, 'authority')];
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
  const values = [adminValue(prefix, now), await secretValue(secret, now)];
  const cond = existing === undefined ? ({ expectAbsent: true } as const) : { expectVersion: existing.version };
  await store.put(keyOf(handle), { handle, values }, cond, meta);
  return secret;
}
