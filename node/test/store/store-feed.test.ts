import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HomedPrefixes } from '../../src/authority/homed-prefixes.ts';
import { DEFAULT_CACHE_POLICY } from '../../src/cache/cache-policy.ts';
import { ResolutionCache } from '../../src/cache/resolution-cache.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import type { HandleValue } from '../../src/records/types.ts';
import { buildChain } from '../../src/resolve/order.ts';
import { ChangeFeed } from '../../src/store/change-feed.ts';
import { openConfiguredStore, type OpenedStore } from '../../src/store/open-store.ts';
import type { StoreConfig } from '../../src/store/store-config.ts';
import { redisCli, startRedisServer, type RedisServer } from '../helpers/redis-server.ts';

/*
 * Two store instances on one real redis-server, each attached to its own node's change feed, as
 * main.ts attaches them: a write through one is announced into the other's feed (and so drops the
 * other's cached answer); a cut subscription is announced as a gap, and news flows again after it.
 */

const META = { actor: 'feed-test' };
const WAIT = { timeout: 5_000, interval: 10 };

let redis: RedisServer;
let dataDir: string;
const opened: OpenedStore[] = [];
const detaches: (() => Promise<void>)[] = [];

interface Heard {
  readonly keys: string[];
  gaps: number;
}

async function instance(): Promise<{ store: OpenedStore['store']; feed: ChangeFeed; heard: Heard }> {
  const cfg: StoreConfig = {
    kind: 'redis',
    url: redis.url,
    namespace: 'feedtest',
    waitReplicas: 0,
    commandTimeoutMs: 1000,
  };
  const o = await openConfiguredStore(cfg, dataDir);
  opened.push(o);
  const feed = new ChangeFeed();
  const heard: Heard = { keys: [], gaps: 0 };
  feed.listen({ changed: (k) => heard.keys.push(k), gap: () => heard.gaps++ });
  detaches.push(await o.attach(feed));
  return { store: o.store, feed, heard };
}

const url = (u: string): HandleValue => ({
  index: 1,
  type: 'URL',
  data: { format: 'string', value: u },
  ttl: 86400,
  timestamp: new Date().toISOString(),
  access: 'public',
});

beforeAll(async () => {
  redis = await startRedisServer();
  dataDir = await mkdtemp(join(tmpdir(), 'idnode-feed-'));
}, 30_000);

afterAll(async () => {
  for (const d of detaches) await d();
  for (const o of opened) await o.store.close();
  await redis?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the store attached to the change feed (Redis)', () => {
  it("a write through one instance is announced into the other's feed and drops its cached answer", async () => {
    const a = await instance();
    const b = await instance();
    const key = parseIdentifier('88.100.5/FEED-1', 'text').key;
    await a.store.put(key, { handle: '88.100.5/FEED-1', values: [url('https://one')] }, undefined, META);
    // Its announcement must not arrive after b cached the answer (it would drop it, rightly).
    await vi.waitFor(() => expect(b.heard.keys).toEqual([key]), WAIT);

    // Instance b's node: its cache hears its own feed only.
    const cache = new ResolutionCache(DEFAULT_CACHE_POLICY);
    b.feed.listen(cache);
    const resolve = buildChain({ homed: new HomedPrefixes(['88.100.5']), store: b.store, cache }).resolve;
    const answer = async () => {
      const o = await resolve({ id: parseIdentifier('88.100.5/FEED-1', 'text'), authoritative: false });
      return o.kind === 'found' ? { source: o.source, url: o.record.values[0]?.data.value } : o.kind;
    };
    await answer();
    expect(await answer()).toEqual({ source: 'cache', url: 'https://one' });

    const current = (await a.store.get(key))!;
    const values = [url('https://two')];
    await a.store.put(key, { handle: current.handle, values }, { expectVersion: current.version }, META);
    await vi.waitFor(() => expect(b.heard.keys).toEqual([key, key]), WAIT);
    expect(await answer()).toEqual({ source: 'store', url: 'https://two' });
    expect(b.heard.gaps).toBe(0);
  });

  it('a cut subscription is announced as a gap, and announcements resume after it', async () => {
    const a = await instance();
    const b = await instance();
    const killed = await redisCli(redis.port, 'CLIENT', 'KILL', 'TYPE', 'pubsub');
    expect(Number(killed)).toBeGreaterThanOrEqual(2);
    await vi.waitFor(() => expect(b.heard.gaps).toBeGreaterThanOrEqual(1), WAIT);
    await vi.waitFor(() => expect(a.heard.gaps).toBeGreaterThanOrEqual(1), WAIT);

    // Re-subscribing may still be under way when the gap is reported: write until b hears one.
    const key = parseIdentifier('88.100.5/FEED-2', 'text').key;
    await vi.waitFor(
      async () => {
        await a.store.put(key, { handle: '88.100.5/FEED-2', values: [url('https://after-gap')] }, undefined, META);
        expect(b.heard.keys).toContain(key);
      },
      { timeout: 5_000, interval: 100 },
    );
  });
});
