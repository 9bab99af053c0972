import { Authenticator } from './auth/authenticate.ts';
import { HomedPrefixes } from './authority/homed-prefixes.ts';
import { DEFAULT_CACHE_POLICY, type CachePolicy } from './cache/cache-policy.ts';
import { ResolutionCache } from './cache/resolution-cache.ts';
import type { AppContext } from './http/app-context.ts';
import { buildResolver } from './resolve/order.ts';
import { ChangeFeed, withChangeFeed } from './store/change-feed.ts';
import type { Store } from './store/store.ts';
import { HandleWriter } from './write/handle-writer.ts';

export interface AppOptions {
  readonly prefixes: readonly string[];
  readonly tokenKey: Buffer;
  readonly cache?: CachePolicy;
}

/** Wires the parts of a node around a store; used by main.ts and by tests. */
export function createAppContext(backend: Store, opts: AppOptions): AppContext {
  const homed = new HomedPrefixes(opts.prefixes);
  const changes = new ChangeFeed();
  const store = withChangeFeed(backend, changes);
  const policy = opts.cache ?? DEFAULT_CACHE_POLICY;
  const cache = policy.enabled ? new ResolutionCache(policy) : undefined;
  if (cache) changes.subscribe((key) => cache.invalidate(key));
  return {
    store,
    homed,
    changes,
    cache,
    tokenKey: opts.tokenKey,
    resolve: buildResolver({ homed, store, cache }),
    writer: new HandleWriter(store, homed),
    authenticator: new Authenticator(store, opts.tokenKey),
  };
}
