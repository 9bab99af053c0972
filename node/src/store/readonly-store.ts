import type { ReadonlyStore } from './store.ts';

/**
 * A view of a store with only its read methods, so a holder cannot reach `put` by a cast: what
 * routes, registries and the resolution chain receive.
 */
export function readonlyStore(store: ReadonlyStore): ReadonlyStore {
  const many = store.getMany?.bind(store);
  return {
    kind: store.kind,
    get: (key) => store.get(key),
    ...(store.getSync === undefined ? {} : { getSync: store.getSync.bind(store) }),
    ...(many === undefined ? {} : { getMany: (keys: readonly string[]) => many(keys) }),
    list: (keyPrefix, page) => store.list(keyPrefix, page),
    changesSince: (afterSeq, limit) => store.changesSince(afterSeq, limit),
    lastSeq: () => store.lastSeq(),
    historyOf: (key, page) => store.historyOf(key, page),
  };
}
