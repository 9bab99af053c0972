import { toStoreError } from '../../store/store-errors.ts';
import type { StoredRecord } from '../../records/types.ts';
import type { ReadonlyStore } from '../../store/store.ts';
import type { Outcome, Stage } from '../outcome.ts';
import { RenderMemo } from '../render-memo.ts';

/** The authoritative answer from this node's store: found, deleted (tombstone) or not found. */
export function createStoreStage(store: ReadonlyStore): Stage {
  return {
    name: 'store',
    async run(req): Promise<Outcome> {
      // LMDB answers in this tick: no promise per read on the request thread.
      const record = store.getSync === undefined ? await store.get(req.id.key) : readNow(store, req.id.key);
      if (record === undefined) return { kind: 'not-found', source: 'store' };
      if (record.deletedAt !== undefined) return { kind: 'not-found', gone: record, source: 'store' };
      return { kind: 'found', record, source: 'store', memo: new RenderMemo() };
    },
  };
}

function readNow(store: ReadonlyStore, key: string): StoredRecord | undefined {
  try {
    return store.getSync?.(key);
  } catch (e) {
    throw toStoreError(e);
  }
}
