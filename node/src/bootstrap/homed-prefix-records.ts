import { matchStoredSecret } from '../auth/seal/stored-secret.ts';
import { isIdnError } from '../errors/idn-error.ts';
import { naHandleOf } from '../authority/homed-prefixes.ts';
import { parseIdentifier } from '../identifier/index.ts';
import { isSecretKeyType } from '../records/admin-value.ts';
import { isSealedSecret } from '../records/sealed-secret.ts';
import type { IdentifierChange } from '../records/change-set.ts';
import {
  ADMIN_KEY_INDEX,
  adminHandleOf,
  newSecret,
  prefixAdminInput,
  secretKeyInput,
} from '../records/prefix-admin.ts';
import { isLive, type StoredRecord } from '../records/types.ts';
import { bootstrapPrincipal, type SystemPrincipal } from '../write/principal.ts';
import type { RecordService } from '../write/record-service.ts';
import { readCredentials, writeCredentials } from './secrets-file.ts';

/**
 * On start, every homed prefix P gets (once) the two records Handle servers keep for it:
 * `0.NA/P` (who administers the prefix) and `P/ADMIN` (the admin, with its secret at index 300).
 * They are written through RecordService as the `bootstrap` principal, whose policy allows these
 * two records only, with every value rule applied (the secret is sealed there, never here).
 */

export { ADMIN_KEY_INDEX, adminHandleOf };

const SETUP = 'homed prefix setup';
/**
 * The configuration says this node homes the prefix, so a `0.NA/P` or `P/ADMIN` deleted over the
 * API is revived at the next start (the bootstrap principal may write over their tombstones)
 * instead of making the node fail to start.
 */
const reasonFor = (existing: StoredRecord | undefined): string =>
  existing === undefined ? SETUP : 'homed prefix record revived after deletion';

async function write(
  records: RecordService,
  who: SystemPrincipal,
  change: IdentifierChange,
  reason: string,
): Promise<void> {
  await records.apply({ changes: [change], reason }, who);
}

async function ensureNaRecord(records: RecordService, who: SystemPrincipal, prefix: string): Promise<void> {
  const id = parseIdentifier(naHandleOf(prefix), 'text');
  const existing = await records.store.get(id.key);
  if (isLive(existing)) return;
  await write(
    records,
    who,
    { op: 'create', id, values: [prefixAdminInput(adminHandleOf(prefix))] },
    reasonFor(existing),
  );
}

/**
 * Creates the admin record with `secret`, or re-keys an existing one only when the operator set
 * IDNODE_ADMIN_SECRET (`rekey`): a secret rotated over the API must not be undone by a restart,
 * and instances sharing one store must not fight over it.
 */
async function ensureAdminRecord(
  records: RecordService,
  who: SystemPrincipal,
  prefix: string,
  secret: string | undefined,
  rekey: boolean,
): Promise<boolean> {
  const id = parseIdentifier(adminHandleOf(prefix), 'text');
  const existing = await records.store.get(id.key);
  if (isLive(existing)) {
    if (!rekey || secret === undefined) return false;
    // The key of `300:P/ADMIN` is the HS_SECKEY at index 300 (an operator may keep other values anywhere).
    // Unchanged and sealed under the current key: nothing to write (a legacy or stale form is sealed anew).
    const stored = existing.values.find((v) => v.index === ADMIN_KEY_INDEX && isSecretKeyType(v.type))?.data;
    const current = stored !== undefined && isSealedSecret(stored.value) && !records.keyring.isStale(stored.value);
    if (current && (await matchStoredSecret(records.keyring, stored, secret)) === 'sealed') return false;
    const change = { op: 'upsert-indexes', id, values: [secretKeyInput(secret)], ifMatch: existing.version } as const;
    await write(records, who, change, SETUP);
    return false;
  }
  if (secret === undefined) return true;
  const values = [prefixAdminInput(id.handle), secretKeyInput(secret)];
  await write(records, who, { op: 'create', id, values }, reasonFor(existing));
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
  records: RecordService,
  prefixes: readonly string[],
  dataDir: string,
  envSecret: string | undefined,
): Promise<BootstrapResult> {
  const creds = await readCredentials(dataDir);
  const generated: string[] = [];
  const who = bootstrapPrincipal(prefixes);
  for (const prefix of prefixes) {
    await once(() => ensureNaRecord(records, who, prefix));
    const secret = envSecret ?? creds[prefix]?.secret;
    const needsSecret = await once(() => ensureAdminRecord(records, who, prefix, secret, envSecret !== undefined));
    if (needsSecret) {
      // First start for this prefix: generate a secret and keep it for the operator (0600).
      const fresh = newSecret();
      await once(() => ensureAdminRecord(records, who, prefix, fresh, false));
      creds[prefix] = { user: `${ADMIN_KEY_INDEX}:${adminHandleOf(prefix)}`, secret: fresh };
      generated.push(prefix);
    }
  }
  if (generated.length > 0) await writeCredentials(dataDir, creds);
  return { generated };
}
