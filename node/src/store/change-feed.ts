import type { ChangeMeta, RecordInput, Store, WriteCondition } from './store.ts';
import type { StoredRecord } from '../records/types.ts';

export type ChangeListener = (key: string) => void;

/**
 * Tells listeners (the resolution cache) which keys changed, whoever wrote them through this
 * process: the HTTP API, the registry, the sync receiver. Changes made by other processes
 * arrive through the backend's own channel (Redis pub/sub) and are fed in with `announce`.
 */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  announce(key: string): void {
    for (const l of this.listeners) l(key);
  }
}

/** The same store, announcing every committed put and delete on the feed. */
export function withChangeFeed(store: Store, feed: ChangeFeed): Store {
  const announced = async (key: string, write: Promise<StoredRecord>): Promise<StoredRecord> => {
    const record = await write;
    feed.announce(key);
    return record;
  };
  return {
    kind: store.kind,
    get: (key) => store.get(key),
    put: (key: string, input: RecordInput, cond: WriteCondition, meta: ChangeMeta) =>
      announced(key, store.put(key, input, cond, meta)),
    delete: (key: string, cond: WriteCondition, meta: ChangeMeta) => announced(key, store.delete(key, cond, meta)),
    list: (keyPrefix, page) => store.list(keyPrefix, page),
    allocate: (counter, count) => store.allocate(counter, count),
    changesSince: (afterSeq, limit) => store.changesSince(afterSeq, limit),
    lastSeq: () => store.lastSeq(),
    close: () => store.close(),
  };
}
