import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbStore, type LmdbStore } from '../../node/src/store/lmdb-store.ts';

/** A real LMDB store in a fresh temp dir; reopen() closes and opens the same files again. */
export interface TempStore {
  store: LmdbStore;
  readonly dir: string;
  reopen(): Promise<LmdbStore>;
  dispose(): Promise<void>;
}

export async function tempStore(): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), 'idnode-registry-'));
  const t: TempStore = {
    store: await openLmdbStore({ path: dir, mapSizeBytes: 1024 ** 3 }),
    dir,
    async reopen() {
      await t.store.close();
      t.store = await openLmdbStore({ path: dir, mapSizeBytes: 1024 ** 3 });
      return t.store;
    },
    async dispose() {
      await t.store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return t;
}

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
