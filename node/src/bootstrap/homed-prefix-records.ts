import { verifySecret, isSecretHash } from '../auth/secret-hash.ts';
import { isIdnError } from '../errors/idn-error.ts';
import { naHandleOf } from '../authority/homed-prefixes.ts';
import { parseIdentifier } from '../identifier/index.ts';
import {
  ADMIN_KEY_INDEX,
  adminHandleOf,
  newSecret,
  prefixAdminValue,
  secretKeyValue,
} from '../records/prefix-admin.ts';
import { isLive, type StoredRecord } from '../records/types.ts';
import type { Store, WriteCondition } from '../store/store.ts';
import { readCredentials, writeCredentials } from './secrets-file.ts';

/**
 * On start, every homed prefix P gets (once) the two records Handle servers keep for it:
 * `0.NA/P` (who administers the prefix) and `P/ADMIN` (the admin, with its secret at index 300).
 */

export { ADMIN_KEY_INDEX, adminHandleOf };

const META = { actor: 'bootstrap', reason: 'homed prefix setup' } as const;
const REVIVE_META = (existing: StoredRecord | undefined) =>
  existing === undefined ? META : { actor: 'bootstrap', reason: 'homed prefix record revived after deletion' };

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
  const input = { handle: id.handle, values: [prefixAdminValue(adminHandleOf(prefix), now)] };
  await store.put(id.key, input, createOver(existing), REVIVE_META(existing));
}

/**
 * Creates the admin record with `secret`, or re-keys an existing one only when the operator set
 * IDNODE_ADMIN_SECRET (`rekey`): a secret rotated over the API must not be undone by a restart,
 * and instances sharing one store must not fight over it.
 */
async function ensureAdminRecord(
  store: Store,
  prefix: string,
  secret: string | undefined,
  rekey: boolean,
  now: string,
): Promise<boolean> {
  const id = parseIdentifier(adminHandleOf(prefix), 'text');
  const existing = await store.get(id.key);
  if (isLive(existing)) {
    if (!rekey || secret === undefined) return false;
    const stored = existing.values.find((v) => v.index === ADMIN_KEY_INDEX)?.data.value;
    if (isSecretHash(stored) && (await verifySecret(secret, stored))) return false;
    const values = [...existing.values.filter((v) => v.index !== ADMIN_KEY_INDEX), await secretKeyValue(secret, now)];
    await store.put(
      id.key,
      { handle: existing.handle, values: values.sort((a, b) => a.index - b.index) },
      { expectVersion: existing.version },
      META,
    );
    return false;
  }
  if (secret === undefined) return true;
  const values = [prefixAdminValue(id.handle, now), await secretKeyValue(secret, now)];
  await store.put(id.key, { handle: id.handle, values }, createOver(existing), REVIVE_META(existing));
  return false;
}

/** Instances starting together on one shared store race here: the loser re-reads and finds it done. */
async function once<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    const raced = isIdnError(e) && (e.code === 'IDN_ERR_ALREADY_EXISTS' || e.code === 'IDN_ERR_VERSION_MISMATCH');
    if (!raced) throw e;
    return step();
  }
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
    await once(() => ensureNaRecord(store, prefix, now));
    const secret = envSecret ?? creds[prefix]?.secret;
    const needsSecret = await once(() => ensureAdminRecord(store, prefix, secret, envSecret !== undefined, now));
    if (needsSecret) {
      // First start for this prefix: generate a secret and keep it for the operator (0600).
      const fresh = newSecret();
      await once(() => ensureAdminRecord(store, prefix, fresh, false, now));
      creds[prefix] = { user: `${ADMIN_KEY_INDEX}:${adminHandleOf(prefix)}`, secret: fresh };
      generated.push(prefix);
    }
  }
  if (generated.length > 0) await writeCredentials(dataDir, creds);
  return { generated };
}
