import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HomedPrefixes } from '../../src/authority/homed-prefixes.ts';
import { DEFAULT_CACHE_POLICY } from '../../src/cache/cache-policy.ts';
import { ResolutionCache } from '../../src/cache/resolution-cache.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import type { HandleValue } from '../../src/records/types.ts';
import { buildChain } from '../../src/resolve/order.ts';
import type { Next, Outcome } from '../../src/resolve/outcome.ts';
import { TemplateIndex } from '../../src/resolve/stages/template.ts';
import { ChangeFeed } from '../../src/store/change-feed.ts';
import { announcingStore } from '../../src/write/announcing-store.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { Store } from '../../src/store/store.ts';

/*
 * The chain as a node wires it (cache, template index, change feed, real LMDB), built here so the
 * dependency bound can be small and a store read can be held open: the safe fallbacks of the
 * dependency index, and an answer whose source changed while it was being fetched.
 */

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const value = (index: number, type: string, format: string, v: unknown): HandleValue => ({
  index,
  type,
  data: { format, value: v },
  ttl: 86400,
  timestamp: new Date().toISOString(),
  access: 'public',
});
const url = (u: string): HandleValue => value(1, 'URL', 'string', u);
const keyOf = (handle: string): string => parseIdentifier(handle, 'text').key;

/** Holds the read of one key open (after reading it) until released. */
interface Hold {
  key?: string;
  reached?: () => void;
  release?: Promise<void>;
}

function holding(inner: Store, hold: Hold): Store {
  return {
    kind: inner.kind,
    get: async (k) => {
      const record = await inner.get(k);
      if (k === hold.key && hold.release) {
        hold.reached?.();
        await hold.release;
      }
      return record;
    },
    commit: (ops, m) => inner.commit(ops, m),
    put: (k, i, c, m) => inner.put(k, i, c, m),
    delete: (k, c, m) => inner.delete(k, c, m),
    list: (p, o) => inner.list(p, o),
    allocate: (c, n) => inner.allocate(c, n),
    changesSince: (a, l) => inner.changesSince(a, l),
    lastSeq: () => inner.lastSeq(),
    historyOf: (k, page) => inner.historyOf(k, page),
    close: () => inner.close(),
  };
}

async function chain(maxDependencies?: number) {
  const dir = await mkdtemp(join(tmpdir(), 'idnode-deps-'));
  dirs.push(dir);
  const lmdb = await openLmdbStore({ path: join(dir, 'lmdb') });
  stores.push(lmdb);
  const hold: Hold = {};
  const feed = new ChangeFeed();
  const store = announcingStore(holding(lmdb, hold), feed);
  const cache = new ResolutionCache(DEFAULT_CACHE_POLICY, maxDependencies === undefined ? {} : { maxDependencies });
  const templates = new TemplateIndex(store);
  feed.listen(cache);
  feed.listen(templates);
  const resolver: Next = buildChain({
    homed: new HomedPrefixes(['88.100.5']),
    store,
    cache,
    derived: templates,
  }).resolve;
  const resolve = (handle: string): Promise<Outcome> =>
    resolver({ id: parseIdentifier(handle, 'text'), authoritative: false });
  const put = (handle: string, values: HandleValue[]) =>
    store.put(keyOf(handle), { handle, values }, undefined, { actor: 'test' });
  return { cache, hold, feed, resolve, put };
}

const summary = (o: Outcome) =>
  o.kind === 'found' ? { source: o.source, url: o.record.values.find((v) => v.type === 'URL')?.data.value } : o.kind;

describe('dependency index bounds', () => {
  it('past its bound, a derived answer is answered but not kept, and is kept again once room is made', async () => {
    const c = await chain(3);
    await c.put('88.100.5/TEMPLATE.BAT', [value(1, 'TEMPLATE', 'json', { pattern: 'BAT-{n}' }), url('https://t/{n}')]);
    await c.put('88.100.5/EXACT', [url('https://exact')]);
    for (const n of [1, 2, 3, 4]) await c.resolve(`88.100.5/BAT-${n}`);
    // Each template answer rests on one source (the prefix's templates): three fit, the fourth does not.
    expect(c.cache.dependencies).toBe(3);
    expect(c.cache.stats.dependencyOverflows).toBe(1);
    expect(summary(await c.resolve('88.100.5/BAT-1'))).toEqual({ source: 'cache', url: 'https://t/1' });
    expect(summary(await c.resolve('88.100.5/BAT-4'))).toEqual({ source: 'store', url: 'https://t/4' });
    // An answer with no other source is not limited by the bound.
    await c.resolve('88.100.5/EXACT');
    expect(summary(await c.resolve('88.100.5/EXACT'))).toEqual({ source: 'cache', url: 'https://exact' });

    await c.put('88.100.5/TEMPLATE.BAT', [value(1, 'TEMPLATE', 'json', { pattern: 'BAT-{n}' }), url('https://t2/{n}')]);
    expect(c.cache.dependencies).toBe(0);
    expect(summary(await c.resolve('88.100.5/BAT-1'))).toEqual({ source: 'store', url: 'https://t2/1' });
    expect(summary(await c.resolve('88.100.5/BAT-1'))).toEqual({ source: 'cache', url: 'https://t2/1' });
    expect(summary(await c.resolve('88.100.5/EXACT'))).toEqual({ source: 'cache', url: 'https://exact' });
  });

  it('an answer whose walk-up source changed while it was fetched is returned but not kept', async () => {
    const c = await chain();
    const cfg = { pattern: 'CELL-{batch}-{serial}', batch: 'BATCH-{batch}' };
    await c.put('0.NA/88.100.5', [value(2, 'WALKUP', 'json', cfg)]);
    await c.put('88.100.5/BATCH-B1', [url('https://b1')]);
    // The batch is read, then the read is held while the batch changes.
    c.hold.key = keyOf('88.100.5/BATCH-B1');
    let release!: () => void;
    c.hold.release = new Promise((r) => (release = r));
    const reached = new Promise<void>((r) => (c.hold.reached = r));
    const first = c.resolve('88.100.5/CELL-B1-1');
    await reached;
    await c.put('88.100.5/BATCH-B1', [url('https://b1-v2')]);
    c.hold.release = undefined;
    release();
    expect(summary(await first)).toEqual({ source: 'store', url: 'https://b1' });
    expect(summary(await c.resolve('88.100.5/CELL-B1-1'))).toEqual({ source: 'store', url: 'https://b1-v2' });
    expect(summary(await c.resolve('88.100.5/CELL-B1-1'))).toEqual({ source: 'cache', url: 'https://b1-v2' });
  });

  it('more changes than it tracks during a fetch: the derived answer is not kept (safe), later ones are', async () => {
    const c = await chain();
    await c.put('0.NA/88.100.5', [value(2, 'WALKUP', 'json', { pattern: 'CELL-{batch}-{s}', batch: 'BATCH-{batch}' })]);
    await c.put('88.100.5/BATCH-B1', [url('https://b1')]);
    c.hold.key = keyOf('88.100.5/BATCH-B1');
    let release!: () => void;
    c.hold.release = new Promise((r) => (release = r));
    const reached = new Promise<void>((r) => (c.hold.reached = r));
    const first = c.resolve('88.100.5/CELL-B1-1');
    await reached;
    // Unrelated keys: none is a source of the answer, but too many to remember.
    for (let i = 0; i < 10_001; i++) c.feed.announce(`88.100.5/unrelated-${i}`);
    c.hold.release = undefined;
    release();
    expect(summary(await first)).toEqual({ source: 'store', url: 'https://b1' });
    expect(summary(await c.resolve('88.100.5/CELL-B1-1'))).toEqual({ source: 'store', url: 'https://b1' });
    expect(summary(await c.resolve('88.100.5/CELL-B1-1'))).toEqual({ source: 'cache', url: 'https://b1' });
  });
});
