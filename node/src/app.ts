import { Authenticator } from './auth/authenticate.ts';
import { HomedPrefixes } from './authority/homed-prefixes.ts';
import type { AppContext } from './http/app-context.ts';
import { buildResolver } from './resolve/order.ts';
import type { Store } from './store/store.ts';
import { HandleWriter } from './write/handle-writer.ts';

/** Wires the parts of a node around a store; used by main.ts and by tests. */
export function createAppContext(store: Store, prefixes: readonly string[], tokenKey: Buffer): AppContext {
  const homed = new HomedPrefixes(prefixes);
  return {
    store,
    homed,
    tokenKey,
    resolve: buildResolver({ homed, store }),
    writer: new HandleWriter(store, homed),
    authenticator: new Authenticator(store, tokenKey),
  };
}
