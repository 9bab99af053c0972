import { IdnError } from '../../src/errors/idn-error.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * Fault injection around a real store, like netem around a real link: reads can be slowed or
 * made to fail on command. Everything else goes to the real store untouched.
 */
export interface FaultyStore {
  readonly store: Store;
  /** Reads of each key that reached the real store. */
  readonly reads: Map<string, number>;
  delayMs: number;
  failing: boolean;
}

export function faultyStore(inner: Store): FaultyStore {
  const state: FaultyStore = {
    reads: new Map(),
    delayMs: 0,
    failing: false,
    store: {
      ...bindAll(inner),
      get: async (key) => {
        state.reads.set(key, (state.reads.get(key) ?? 0) + 1);
        if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
        if (state.failing) throw new IdnError('IDN_ERR_STORE_UNAVAILABLE', 'injected fault: store down');
        return inner.get(key);
      },
    },
  };
  return state;
}

function bindAll(s: Store): Store {
  return {
    kind: s.kind,
    get: (k) => s.get(k),
    commit: (o, m) => s.commit(o, m),
    put: (k, i, c, m) => s.put(k, i, c, m),
    delete: (k, c, m) => s.delete(k, c, m),
    list: (p, o) => s.list(p, o),
    allocate: (c, n) => s.allocate(c, n),
    changesSince: (a, l) => s.changesSince(a, l),
    lastSeq: () => s.lastSeq(),
    historyOf: (k, page) => s.historyOf(k, page),
    close: () => s.close(),
  };
}
