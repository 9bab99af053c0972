import { verifySecret, isSecretHash, hashSecret } from '../auth/secret-hash.ts';
import { naHandleOf } from '../authority/homed-prefixes.ts';
import { parseIdentifier } from '../identifier/index.ts';
import { formatPermissions, PERM_ALL } from '../records/permissions.ts';
import { isLive, type HandleValue, type StoredRecord } from '../records/types.ts';
import type { Store, WriteCondition } from '../store/store.ts';
import { newSecret, readCredentials, writeCredentials } from './secrets-file.ts';

/**
 * On start, every homed prefix P gets (once) the two records Handle servers keep for it:
 * `0.NA/P` (who administers the prefix) and `P/ADMIN` (the admin, with its secret at index 300).
 */

export const ADMIN_KEY_INDEX = 300;
export const adminHandleOf = (prefix: string): string => `${prefix}/ADMIN`;

const META = { actor: 'bootstrap', reason: 'homed prefix setup' } as const;
const REVIVE_META = (existing: StoredRecord | undefined) =>
  existing === undefined ? META : { actor: 'bootstrap', reason: 'homed prefix record revived after deletion' };

function adminValue(adminHandle: string, now: string): HandleValue {
  const value = { handle: adminHandle, index: ADMIN_KEY_INDEX, permissions: formatPermissions(PERM_ALL) };
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

/**
 * The write condition that (re)creates a record: absent, or over its tombstone. The configuration
 * says this node homes the prefix, so a `0.NA/P` or `P/ADMIN` deleted over the API is revived at
 * the next start instead of making the node fail to start (a tombstone otherwise blocks reuse).
 */
const createOver = (existing: StoredRecord | undefined): WriteCondition =>
  existing === undefined ? { expectAbsent: true } : { expectVersion: existing.version };

async function ensureNaRecord(store: Store, prefix: string, now: string): Promise<void> {
  const id = parseIdentifier(naHandleOf(prefix), 'text');
  const existing = await store.get(id.key);
  if (isLive(existing)) return;
  const input = { handle: id.handle, values: [adminValue(adminHandleOf(prefix), now)] };
  await store.put(id.key, input, createOver(existing), REVIVE_META(existing));
}

/** Creates the admin record, or re-keys it when IDNODE_ADMIN_SECRET no longer matches. */
async function ensureAdminRecord(store: Store, prefix: string, secret: string, now: string): Promise<void> {
  const id = parseIdentifier(adminHandleOf(prefix), 'text');
  const existing = await store.get(id.key);
  if (isLive(existing)) {
    const stored = existing.values.find((v) => v.index === ADMIN_KEY_INDEX)?.data.value;
    if (isSecretHash(stored) && (await verifySecret(secret, stored))) return;
    const values = [...existing.values.filter((v) => v.index !== ADMIN_KEY_INDEX), await secretValue(secret, now)];
    await store.put(
      id.key,
      { handle: existing.handle, values: values.sort((a, b) => a.index - b.index) },
      { expectVersion: existing.version },
      META,
    );
    return;
  }
  const values = [adminValue(id.handle, now), await secretValue(secret, now)];
  await store.put(id.key, { handle: id.handle, values }, createOver(existing), REVIVE_META(existing));
}

export interface BootstrapResult {
  /** Prefixes whose secret was generated now (the user must be told where it is). */
  readonly generated: readonly string[];
}

export async function bootstrapHomedPrefixes(
  store: Store,
  prefixes: readonly string[],
  dataDir: string,
  envSecret: string | undefined,
): Promise<BootstrapResult> {
  const creds = await readCredentials(dataDir);
  const generated: string[] = [];
  const now = new Date().toISOString();
  for (const prefix of prefixes) {
    let secret = envSecret ?? creds[prefix]?.secret;
    if (secret === undefined) {
      secret = newSecret();
      creds[prefix] = { user: `${ADMIN_KEY_INDEX}:${adminHandleOf(prefix)}`, secret };
      generated.push(prefix);
    }
    await ensureNaRecord(store, prefix, now);
    await ensureAdminRecord(store, prefix, secret, now);
  }
  if (generated.length > 0) await writeCredentials(dataDir, creds);
  return { generated };
}
