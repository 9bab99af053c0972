import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeIdentity } from '../../node/src/auth/identity.ts';
import { HomedPrefixes, naHandleOf } from '#core/authority/homed-prefixes';
import type { ChangeSet } from '#core/records/change-set';
import { PERM_ALL } from '#core/records/permissions';
import { adminHandleOf } from '#core/records/prefix-admin';
import { ChangeFeed } from '../../node/src/store/change-feed.ts';
import { openLmdbStore, type LmdbStore } from '../../node/src/store/lmdb-store.ts';
import { clientPrincipal, registryPrincipal, type ClientPrincipal } from '../../node/src/write/principal.ts';
import { RecordService } from '../../node/src/write/record-service.ts';
import type { ApplySet } from '../src/index.ts';

/**
 * A real LMDB store in a fresh temp dir and the node's RecordService over it, homing `homed`:
 * the registries only plan, and every change set they return is applied here, with every value
 * rule, exactly as the node's routes apply them. reopen() closes and opens the same files again.
 */
export interface TempStore {
  store: LmdbStore;
  records: RecordService;
  readonly dir: string;
  reopen(): Promise<LmdbStore>;
  dispose(): Promise<void>;
  /** Applies a registry decision as the registry acting for `caller`, allowed `handles` only. */
  applyAs(caller: string, handles?: readonly string[]): ApplySet;
}

export async function tempStore(homed: readonly string[]): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), 'idnode-registry-'));
  const open = async () => {
    const store = await openLmdbStore({ path: dir, mapSizeBytes: 1024 ** 3 });
    return { store, records: new RecordService(store, { homed: new HomedPrefixes(homed), changes: new ChangeFeed() }) };
  };
  const t: TempStore = {
    ...(await open()),
    dir,
    async reopen() {
      await t.store.close();
      Object.assign(t, await open());
      return t.store;
    },
    async dispose() {
      await t.store.close();
      await rm(dir, { recursive: true, force: true });
    },
    applyAs(caller, handles = []) {
      const who = registryPrincipal(`prefix-registry (${caller})`, handles, { revivesTombstones: true });
      return (set: ChangeSet) => t.records.apply(set, who);
    },
  };
  return t;
}

/** The prefix's admin `300:<prefix>/ADMIN`, as an authenticated client. */
export const prefixAdmin = (prefix: string): ClientPrincipal =>
  clientPrincipal(makeIdentity(300, adminHandleOf(prefix), 'basic', PERM_ALL, 1));

/** The two handles an approval of `prefix` creates. */
export const prefixHandles = (prefix: string): string[] => [naHandleOf(prefix), adminHandleOf(prefix)];

/** The secondary node's own industry prefix record, as its bootstrap would have written it. */
export async function homePrefix(store: LmdbStore, prefix: string): Promise<void> {
  const now = new Date().toISOString();
  const value = { handle: `${prefix}/ADMIN`, index: 300, permissions: '111111111111' };
  await store.put(
    `0.na/${prefix.toLowerCase()}`,
    {
      handle: `0.NA/${prefix}`,
      values: [
        {
          index: 100,
          type: 'HS_ADMIN',
          data: { format: 'admin', value },
          ttl: 86400,
          timestamp: now,
          access: 'public',
        },
      ],
    },
    { expectAbsent: true },
    { actor: 'test' },
  );
}
