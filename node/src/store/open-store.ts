import { join } from 'node:path';
import type { ResolutionCache } from '../cache/resolution-cache.ts';
import type { ChangeFeed } from './change-feed.ts';
import { openLmdbStore } from './lmdb-store.ts';
import { openRedisStore, type RedisStore } from './redis-store.ts';
import type { StoreConfig } from './store-config.ts';
import type { Store } from './store.ts';

export interface OpenedStore {
  readonly store: Store;
  /**
   * Connects the store's cross-instance signals to this node: keys changed by other instances
   * go on the change feed (the cache drops them); after a lost connection the cache is dropped
   * whole, since invalidations may have been missed.
   */
  attach(changes: ChangeFeed, cache: ResolutionCache | undefined): Promise<void>;
}

export async function openConfiguredStore(cfg: StoreConfig, dataDir: string): Promise<OpenedStore> {
  if (cfg.kind === 'lmdb') {
    const store = await openLmdbStore({ path: join(dataDir, 'lmdb') });
    return { store, attach: () => Promise.resolve() };
  }
  const store = await openRedisStore({
    ...(cfg.url === undefined ? {} : { url: cfg.url }),
    ...(cfg.nodes === undefined ? {} : { nodes: cfg.nodes }),
    keyPrefix: cfg.namespace,
    waitReplicas: cfg.waitReplicas,
    commandTimeoutMs: cfg.commandTimeoutMs,
  });
  return { store, attach: (changes, cache) => attachRedis(store, changes, cache) };
}

async function attachRedis(store: RedisStore, changes: ChangeFeed, cache: ResolutionCache | undefined): Promise<void> {
  const dropAll = (): void => cache?.clear();
  store.onReconnect(dropAll);
  await store.subscribeInvalidations((key) => changes.announce(key), dropAll);
}
