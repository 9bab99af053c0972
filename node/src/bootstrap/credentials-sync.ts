import { parseIdentifier } from '../identifier/index.ts';
import { adminSecret } from '../auth/handle-challenge/admin-secret.ts';
import type { SecretKeyring } from '../auth/seal/keyring.ts';
import type { ChangeFeed } from '../store/change-feed.ts';
import type { ReadonlyStore } from '../store/store.ts';
import { ADMIN_KEY_INDEX, adminHandleOf } from '../records/prefix-admin.ts';
import { readCredentials, writeCredentials } from './secrets-file.ts';

/** What the sync tells its caller: which prefixes' entries it rewrote (never the secrets). */
export type CredentialsReport = (event: { prefix: string; outcome: 'updated' | 'removed' }) => void;

/**
 * The stored secret of `<prefix>/ADMIN` index 300 as the node can open it, or undefined when the
 * record or the value is gone or cannot be opened (then the file entry is stale and removed).
 */
async function currentSecret(
  store: ReadonlyStore,
  keyring: SecretKeyring,
  prefix: string,
): Promise<string | undefined> {
  try {
    const { secret } = await adminSecret(store, keyring, { handle: adminHandleOf(prefix), index: ADMIN_KEY_INDEX });
    const text = secret.toString('utf8');
    secret.fill(0);
    return text;
  } catch {
    return undefined;
  }
}

/**
 * Brings `<dataDir>/admin-credentials.json` in line with the store for the prefixes it names: an
 * entry whose secret the store no longer holds gets the stored one (sealing is reversible, ADR
 * 0002) or, when none can be opened, is removed. So the file never hands out a stale secret,
 * whichever path rotated it (idnode keys rotate-secret, a PUT, the console, a batch).
 */
export async function reconcileCredentials(
  dataDir: string,
  store: ReadonlyStore,
  keyring: SecretKeyring,
  report: CredentialsReport = () => undefined,
): Promise<void> {
  const creds = await readCredentials(dataDir);
  let changed = false;
  for (const [prefix, entry] of Object.entries(creds)) {
    const secret = await currentSecret(store, keyring, prefix);
    if (secret === entry.secret) continue;
    changed = true;
    if (secret === undefined) delete creds[prefix];
    else creds[prefix] = { ...entry, secret };
    report({ prefix, outcome: secret === undefined ? 'removed' : 'updated' });
  }
  if (changed) await writeCredentials(dataDir, creds);
}

/**
 * Re-reconciles whenever an admin record of a homed prefix changes. Runs are chained, so two
 * rotations in a row end with the file holding the last one.
 */
export function watchCredentials(
  changes: ChangeFeed,
  prefixes: readonly string[],
  run: () => Promise<void>,
  onError: (e: unknown) => void,
): () => void {
  const keys = new Set(prefixes.map((p) => parseIdentifier(adminHandleOf(p), 'text').key));
  let chain = Promise.resolve();
  return changes.subscribe((key) => {
    if (!keys.has(key)) return;
    chain = chain.then(run).catch(onError);
  });
}

/** The part of the node logger this needs (main.ts passes pino). */
export interface CredentialsLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * At startup and after every change of a homed prefix's admin record: the credentials file holds
 * the secret the store holds, or no entry. Logs which prefix was rewritten, never the secret.
 */
export async function keepCredentialsFresh(
  dataDir: string,
  deps: { readonly store: ReadonlyStore; readonly keyring: SecretKeyring; readonly changes: ChangeFeed },
  prefixes: readonly string[],
  log: CredentialsLog,
): Promise<() => void> {
  const report: CredentialsReport = (e) =>
    log.info(
      { log: 'secrets', event: `credentials-${e.outcome}`, prefix: e.prefix },
      `admin-credentials.json: ${e.outcome} the entry of ${e.prefix} (the admin secret changed)`,
    );
  const run = () => reconcileCredentials(dataDir, deps.store, deps.keyring, report);
  await run();
  return watchCredentials(deps.changes, prefixes, run, (e) =>
    log.warn({ log: 'secrets', err: (e as Error).message }, 'could not update admin-credentials.json'),
  );
}
