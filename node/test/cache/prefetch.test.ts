import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CACHE_POLICY } from '../../src/cache/cache-policy.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import type { Store } from '../../src/store/store.ts';
import { faultyStore, type FaultyStore } from '../helpers/faulty-store.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/*
 * Prefetch: a hit in the last tenth of an entry's life answers from the cache and refreshes the
 * entry in the background, once. Time is the cache's injected clock; the record is changed behind
 * the cache's back (straight in LMDB, no change announced), so only a refetch can show the change.
 */

const TTL_S = 100;
const TTL_MS = TTL_S * 1000;
/** Inside the prefetch window (the last 10 % of the life), still fresh. */
const IN_WINDOW = TTL_MS - 5_000;

let node: TestNode | undefined;
let faults: FaultyStore;
let lmdb: Store;
let clock = 0;

async function start(): Promise<TestNode> {
  clock = 1_000_000;
  node = await startTestNode(['88.100.5'], {
    cache: { ...DEFAULT_CACHE_POLICY, prefetchFraction: 0.1 },
    wrapStore: (s) => {
      lmdb = s;
      return (faults = faultyStore(s)).store;
    },
    now: () => clock,
  });
  return node;
}

afterEach(async () => {
  await node?.close();
  node = undefined;
});

const keyOf = (handle: string): string => parseIdentifier(handle, 'text').key;
const reads = (handle: string): number => faults.reads.get(keyOf(handle)) ?? 0;

async function read(n: TestNode, handle: string): Promise<{ status: number; source: string | null; url: unknown }> {
  const res = await fetch(`${n.url}/api/handles/${handle}`);
  const body = (await res.json()) as { values?: { type: string; data: { value: unknown } }[] };
  return {
    status: res.status,
    source: res.headers.get('x-idnode-source'),
    url: body.values?.find((v) => v.type === 'URL')?.data.value,
  };
}

/** Registers `handle` through the node and fills the cache with it (one store read). */
async function cached(n: TestNode, handle: string): Promise<void> {
  const put = await putRecord(
    n.url,
    handle,
    [urlValue(1, 'https://p.example/old', { ttl: TTL_S })],
    n.adminAuth('88.100.5'),
  );
  expect(put.status).toBe(201);
  expect((await read(n, handle)).source).toBe('store');
  expect(await read(n, handle)).toMatchObject({ source: 'cache', url: 'https://p.example/old' });
}

/** Changes the URL in LMDB itself: the node's change feed never hears of it. */
async function changeBehindTheCache(handle: string, url: string): Promise<void> {
  const key = keyOf(handle);
  const current = await lmdb.get(key);
  if (current === undefined) throw new Error(`${handle} is not stored`);
  const values = current.values.map((v) => (v.index === 1 ? { ...v, data: { format: 'string', value: url } } : v));
  await lmdb.put(key, { handle: current.handle, values }, { expectVersion: current.version }, { actor: 'test' });
}

describe('prefetch', () => {
  it('is not triggered by a hit before the window', async () => {
    const n = await start();
    await cached(n, '88.100.5/EARLY');
    await changeBehindTheCache('88.100.5/EARLY', 'https://p.example/new');
    clock += TTL_MS - 20_000;
    const before = reads('88.100.5/EARLY');
    expect(await read(n, '88.100.5/EARLY')).toMatchObject({ source: 'cache', url: 'https://p.example/old' });
    expect(await read(n, '88.100.5/EARLY')).toMatchObject({ source: 'cache', url: 'https://p.example/old' });
    expect(reads('88.100.5/EARLY')).toBe(before);
    expect(n.ctx.cache?.stats.prefetches).toBe(0);
  });

  it('a hit inside the window answers from the cache and refetches once; the refreshed entry replaces it', async () => {
    const n = await start();
    await cached(n, '88.100.5/HOT');
    await changeBehindTheCache('88.100.5/HOT', 'https://p.example/new');
    const before = reads('88.100.5/HOT');
    clock += IN_WINDOW;
    expect(await read(n, '88.100.5/HOT')).toMatchObject({ status: 200, source: 'cache', url: 'https://p.example/old' });
    await vi.waitFor(() => expect(reads('88.100.5/HOT')).toBe(before + 1), { timeout: 5_000, interval: 5 });
    await vi.waitFor(async () => expect((await read(n, '88.100.5/HOT')).url).toBe('https://p.example/new'), {
      timeout: 5_000,
      interval: 5,
    });
    // The refreshed entry is a full new life: later hits neither read the store nor prefetch again.
    expect(await read(n, '88.100.5/HOT')).toMatchObject({ source: 'cache', url: 'https://p.example/new' });
    expect(reads('88.100.5/HOT')).toBe(before + 1);
    expect(n.ctx.cache?.stats.prefetches).toBe(1);
  });

  it('a burst of concurrent hits inside the window makes one backend fetch', async () => {
    const n = await start();
    await cached(n, '88.100.5/BURST');
    await changeBehindTheCache('88.100.5/BURST', 'https://p.example/new');
    const before = reads('88.100.5/BURST');
    const fetchesBefore = n.ctx.cache?.stats.fetches ?? 0;
    // A slow store keeps the refetch in flight while the burst arrives.
    faults.delayMs = 500;
    clock += IN_WINDOW;
    const burst = await Promise.all(Array.from({ length: 100 }, () => read(n, '88.100.5/BURST')));
    // All from the cache: the old entry while the refetch runs, the refreshed one after it.
    expect(burst.every((r) => r.status === 200 && r.source === 'cache')).toBe(true);
    expect(burst[0]?.url).toBe('https://p.example/old');
    await vi.waitFor(async () => expect((await read(n, '88.100.5/BURST')).url).toBe('https://p.example/new'), {
      timeout: 5_000,
      interval: 20,
    });
    expect(reads('88.100.5/BURST')).toBe(before + 1);
    expect(n.ctx.cache?.stats.fetches).toBe(fetchesBefore + 1);
    expect(n.ctx.cache?.stats.prefetches).toBe(1);
  });

  it('a failing prefetch keeps the old entry, which goes on answering', async () => {
    const n = await start();
    await cached(n, '88.100.5/KEEP');
    const before = reads('88.100.5/KEEP');
    faults.failing = true;
    clock += IN_WINDOW;
    expect(await read(n, '88.100.5/KEEP')).toMatchObject({
      status: 200,
      source: 'cache',
      url: 'https://p.example/old',
    });
    // The store fails at once (no delay), so the refetch has failed before the response arrives.
    expect(reads('88.100.5/KEEP')).toBe(before + 1);
    expect(await read(n, '88.100.5/KEEP')).toMatchObject({
      status: 200,
      source: 'cache',
      url: 'https://p.example/old',
    });
    // Each hit in the window tries again; none replaced the entry with the error.
    expect(reads('88.100.5/KEEP')).toBe(before + 2);
    faults.failing = false;
    await changeBehindTheCache('88.100.5/KEEP', 'https://p.example/new');
    expect((await read(n, '88.100.5/KEEP')).source).toBe('cache');
    await vi.waitFor(async () => expect((await read(n, '88.100.5/KEEP')).url).toBe('https://p.example/new'), {
      timeout: 5_000,
      interval: 5,
    });
  });
});
