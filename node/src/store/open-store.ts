import { join } from 'node:path';
import type { ChangeFeed } from './change-feed.ts';
import { openLmdbStore } from './lmdb-store.ts';
import type { RedisStore } from './redis-store.ts';
import type { StoreConfig } from './store-config.ts';
import type { Store } from './store.ts';

/** What an operator is told when the store's connection goes and comes back (Redis; LMDB has none). */
export interface ConnectionWatch {
  lost(): void;
  restored(): void;
}

export interface OpenedStore {
  readonly store: Store;
  /** Reports the connection's loss and recovery; returns the unwatch. */
  watchConnection(w: ConnectionWatch): () => void;
  /**
   * Connects the store's cross-instance signals to this node's change feed: keys changed by other
   * instances are announced on it; a lost connection or subscription is announced as a gap (news
   * may have been missed). What the listeners do with either is theirs to decide. Resolves to a
   * detach that ends both (close() alone leaves the subscription's connection open).
   */
  attach(changes: ChangeFeed): Promise<() => Promise<void>>;
  /**
   * Present when the store has no cross-process channel of its own (LMDB): several workers on
   * one environment relay their changes (cluster/worker-link.ts), and a relayed key is announced
   * after this ends the current read snapshot. Redis needs neither: its pub/sub reaches every process.
   */
  readonly refreshReads?: () => void;
}

export async function openConfiguredStore(cfg: StoreConfig, dataDir: string): Promise<OpenedStore> {
  if (cfg.kind === 'lmdb') {
    const store = await openLmdbStore({ path: join(dataDir, 'lmdb') });
    // LMDB has no cross-process channel: local changes are already on the feed; another process's show at expiry.
    return {
      store,
      attach: () => Promise.resolve(() => Promise.resolve()),
      refreshReads: () => store.refreshReads(),
      watchConnection: () => () => undefined,
    };
  }
  // Loaded only for Redis: ioredis and its cluster client are a good part of an LMDB node's start-up.
  const { openRedisStore } = await import('./redis-store.ts');
  const store = await openRedisStore({
    ...(cfg.url === undefined ? {} : { url: cfg.url }),
    ...(cfg.nodes === undefined ? {} : { nodes: cfg.nodes }),
    keyPrefix: cfg.namespace,
    waitReplicas: cfg.waitReplicas,
    commandTimeoutMs: cfg.commandTimeoutMs,
  });
  const watchConnection = (w: ConnectionWatch): (() => void) => {
    const offLost = store.onConnectionLost(() => w.lost());
    const offBack = store.onReconnect(() => w.restored());
    return () => {
      offLost();
      offBack();
    };
  };
  return { store, attach: (changes) => attachRedis(store, changes), watchConnection };
}

async function attachRedis(store: RedisStore, changes: ChangeFeed): Promise<() => Promise<void>> {
  const gap = (): void => changes.gap();
  const offReconnect = store.onReconnect(gap);
  try {
    const unsubscribe = await store.subscribeInvalidations((key) => changes.announce(key), gap);
    return async () => {
      offReconnect();
      await unsubscribe();
    };
  } catch (e) {
    offReconnect();
    throw e;
  }
}
