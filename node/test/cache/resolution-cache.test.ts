import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CACHE_POLICY, type CachePolicy } from '../../src/cache/cache-policy.ts';
import { faultyStore, type FaultyStore } from '../helpers/faulty-store.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/** The resolution cache seen from outside: over HTTP, with a real LMDB store behind it. */

let node: TestNode | undefined;
let faults: FaultyStore;
/** The cache's clock: tests move it instead of sleeping. */
let clock = 0;

async function start(policy: Partial<CachePolicy> = {}, authoritativeReadsPerSecond = 50): Promise<TestNode> {
  clock = 1_000_000;
  node = await startTestNode(['88.100.5'], {
    cache: { ...DEFAULT_CACHE_POLICY, ...policy },
    authoritativeReadsPerSecond,
    wrapStore: (s) => (faults = faultyStore(s)).store,
    now: () => clock,
  });
  return node;
}

afterEach(async () => {
  await node?.close();
  node = undefined;
});

const get = (n: TestNode, id: string, query = '') => fetch(`${n.url}/api/handles/${id}${query}`);

describe('resolution cache', () => {
  it('makes exactly one backend call for 1,000 concurrent requests on one uncached identifier', async () => {
    const n = await start();
    await putRecord(n.url, '88.100.5/VIRAL-1', [urlValue(1, 'https://p.example/v')], n.adminAuth('88.100.5'));
    faults.reads.clear();
    faults.delayMs = 300;
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => get(n, '88.100.5/VIRAL-1').then((r) => r.status)),
    );
    expect(results.filter((s) => s === 200)).toHaveLength(1000);
    expect(faults.reads.get('88.100.5/viral-1')).toBe(1);
  });

  it('caches "not found" briefly and forgets it as soon as the identifier is registered here', async () => {
    const n = await start();
    faults.reads.clear();
    expect((await get(n, '88.100.5/LATER')).status).toBe(404);
    expect((await get(n, '88.100.5/LATER')).status).toBe(404);
    expect(faults.reads.get('88.100.5/later')).toBe(1);
    await putRecord(n.url, '88.100.5/LATER', [urlValue(1, 'https://p.example/l')], n.adminAuth('88.100.5'));
    expect((await get(n, '88.100.5/LATER')).status).toBe(200);
  });

  it('shows a change made through the node on the next read', async () => {
    const n = await start();
    const auth = n.adminAuth('88.100.5');
    await putRecord(n.url, '88.100.5/CHG', [urlValue(1, 'https://p.example/old')], auth);
    expect(
      ((await (await get(n, '88.100.5/CHG')).json()) as { values: { data: { value: string } }[] }).values[0]?.data
        .value,
    ).toBe('https://p.example/old');
    await putRecord(n.url, '88.100.5/CHG', [urlValue(1, 'https://p.example/new')], auth);
    const after = (await (await get(n, '88.100.5/CHG')).json()) as { values: { data: { value: string } }[] };
    expect(after.values[0]?.data.value).toBe('https://p.example/new');
  });

  it('serves an expired entry, marked stale, while the store fails, then fails clearly', async () => {
    const n = await start({ minTtlMs: 50, maxTtlMs: 200, staleWindowMs: 1500, staleTimeoutMs: 200 });
    await putRecord(n.url, '88.100.5/STALE', [urlValue(1, 'https://p.example/s')], n.adminAuth('88.100.5'));
    expect((await get(n, '88.100.5/STALE')).status).toBe(200);
    faults.failing = true;
    clock += 300;
    const stale = await get(n, '88.100.5/STALE');
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-idnode-source')).toBe('stale');
    const uncached = await get(n, '88.100.5/NEVER-SEEN');
    expect(uncached.status).toBe(503);
    expect(((await uncached.json()) as { code: string }).code).toBe('IDN_ERR_STORE_UNAVAILABLE');
    clock += 1600;
    const expired = await get(n, '88.100.5/STALE');
    expect(expired.status).toBe(503);
    faults.failing = false;
    expect((await get(n, '88.100.5/STALE')).status).toBe(200);
  });

  it('answers auth=true from the store, bypassing the cache', async () => {
    const n = await start();
    await putRecord(n.url, '88.100.5/AUTH', [urlValue(1, 'https://p.example/a')], n.adminAuth('88.100.5'));
    await get(n, '88.100.5/AUTH');
    faults.reads.clear();
    await get(n, '88.100.5/AUTH');
    expect(faults.reads.get('88.100.5/auth') ?? 0).toBe(0);
    await get(n, '88.100.5/AUTH', '?auth=true');
    expect(faults.reads.get('88.100.5/auth')).toBe(1);
  });

  it('rate-limits auth=true (it bypasses the cache) with 429 and Retry-After, leaving normal scans alone', async () => {
    const n = await start({}, 5);
    await putRecord(n.url, '88.100.5/RL', [urlValue(1, 'https://p.example/rl')], n.adminAuth('88.100.5'));
    const statuses = await Promise.all(Array.from({ length: 40 }, () => get(n, '88.100.5/RL', '?auth=true')));
    const limited = statuses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(statuses.filter((r) => r.status === 200).length).toBeLessThanOrEqual(12);
    expect(limited[0]?.headers.get('retry-after')).toBe('1');
    expect(((await limited[0]!.json()) as { code: string }).code).toBe('IDN_ERR_RATE_LIMITED');
    const plain = await Promise.all(Array.from({ length: 40 }, () => get(n, '88.100.5/RL').then((r) => r.status)));
    expect(plain.every((s) => s === 200)).toBe(true);
  });
});
