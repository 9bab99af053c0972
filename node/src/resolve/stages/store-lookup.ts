import type { ReadonlyStore } from '../../store/store.ts';
import type { Outcome, Stage } from '../outcome.ts';
import { RenderMemo } from '../render-memo.ts';

/** The authoritative answer from this node's store: found, deleted (tombstone) or not found. */
export function createStoreStage(store: ReadonlyStore): Stage {
  return {
    name: 'store',
    async run(req): Promise<Outcome> {
      const record = await store.get(req.id.key);
      if (record === undefined) return { kind: 'not-found', source: 'store' };
      if (record.deletedAt !== undefined) return { kind: 'not-found', gone: record, source: 'store' };
      return { kind: 'found', record, source: 'store', memo: new RenderMemo() };
    },
  };
}
