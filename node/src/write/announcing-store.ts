import type { ChangeFeed } from '../store/change-feed.ts';
import type { Store, StoreOp } from '../store/store.ts';
import type { StoredRecord } from '../records/types.ts';

/**
 * TRANSITIONAL (issue 9 removes it): the writable store for the callers not yet moved onto
 * RecordService (the sync receiver and sender, see AppContext.legacyStore). Their writes skip the
 * service's value rules; this wrapper only keeps them announced on the change feed, as every
 * committed key must be, so the cache and the audit still see them.
 */
export function announcingStore(store: Store, feed: ChangeFeed): Store {
  const announced = async <T>(keys: readonly string[], write: Promise<T>): Promise<T> => {
    const result = await write;
    for (const key of new Set(keys)) feed.announce(key);
    return result;
  };
  return {
    kind: store.kind,
    get: (key) => store.get(key),
    commit: (ops: readonly StoreOp[], meta): Promise<readonly StoredRecord[]> =>
      announced(
        ops.map((o) => o.key),
        store.commit(ops, meta),
      ),
    put: (key, input, cond, meta) => announced([key], store.put(key, input, cond, meta)),
    delete: (key, cond, meta) => announced([key], store.delete(key, cond, meta)),
    list: (keyPrefix, page) => store.list(keyPrefix, page),
    allocate: (counter, count) => store.allocate(counter, count),
    changesSince: (afterSeq, limit) => store.changesSince(afterSeq, limit),
    lastSeq: () => store.lastSeq(),
    historyOf: (key, page) => store.historyOf(key, page),
    close: () => store.close(),
  };
}
