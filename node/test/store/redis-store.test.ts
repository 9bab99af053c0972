import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore, type RedisStoreOptions } from '../../src/store/redis-store.ts';
import { redisKeys } from '../../src/store/redis-keys.ts';
import { COMMIT_LUA } from '../../src/store/redis-scripts.ts';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.ts';
import { runStoreContract } from './store-contract.ts';

let server: RedisServer;
let namespaces = 0;
/**
 * The contract checks behaviour, not latency: with fsync on every write and other suites' Redis
 * processes on the same two cores, a write can exceed the 1 s default. Fail-fast timing is tested
 * in redis-failure.test.ts.
 */
const CONTRACT_TIMEOUT_MS = 5000;
/** Each harness gets its own namespace on the one server: fresh data without a restart. */
const freshOptions = (): RedisStoreOptions => ({
  url: server.url,
  keyPrefix: `t${++namespaces}-${process.pid}`,
  commandTimeoutMs: CONTRACT_TIMEOUT_MS,
});

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server.cleanup();
});

runStoreContract('redis (single server, AOF always)', async () => {
  const opts = freshOptions();
  return {
    store: await openRedisStore(opts),
    reopen: () => openRedisStore(opts),
    cleanup: () => Promise.resolve(),
  };
});

describe('Redis store specifics', () => {
  const META = { actor: 'test' };

  it('runs on a server that fsyncs the AOF before replying', async () => {
    const raw = new Redis(server.url, { lazyConnect: true });
    await raw.connect();
    expect(await raw.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
    expect(await raw.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    raw.disconnect();
  });

  it('answers a re-sent allocation (same request id) with the same range, counting once', async () => {
    const store = await openRedisStore(freshOptions());
    const first = await store.allocateWithRequestId('88.100.5/bat', 10, 'req-1');
    const again = await store.allocateWithRequestId('88.100.5/bat', 10, 'req-1');
    expect(first).toEqual({ first: 1, last: 10 });
    expect(again).toEqual(first);
    expect(await store.allocate('88.100.5/bat', 1)).toEqual({ first: 11, last: 11 });
    await store.close();
  });

  it('answers a re-sent commit (same request id) with its last seq, writing once', async () => {
    const opts = freshOptions();
    const store = await openRedisStore(opts);
    const raw = new Redis(server.url, { lazyConnect: true });
    await raw.connect();
    const k = redisKeys(opts.keyPrefix ?? '');
    const [a, b] = ['88.100.5/resent-a', '88.100.5/resent-b'];
    const record = (key: string) => ({ handle: key, values: [], version: 1, createdAt: 'x', updatedAt: 'x' });
    const head = (key: string) =>
      JSON.stringify({ key, op: 'put', version: 1, previousVersion: 0, at: 'x', actor: 'a' }).slice(1, -1);
    const op = (key: string) => [0, 1, JSON.stringify(record(key)), head(key), key, '1'];
    const keys = [
      k.index,
      k.seq,
      k.log,
      k.request('w-1'),
      k.historyTo,
      k.record(a),
      k.record(b),
      k.history(a),
      k.history(b),
    ];
    const send = (): Promise<unknown> => raw.eval(COMMIT_LUA, keys.length, ...keys, 60, '', 2, '', ...op(a), ...op(b));
    expect(await send()).toEqual([1, 2]);
    expect(await send()).toEqual([1, 2]);
    expect(await store.lastSeq()).toBe(2);
    expect(await store.get(a)).toEqual(record(a));
    const log = await store.changesSince(0, 10);
    expect(log.map((e) => [e.seq, e.key, e.version])).toEqual([
      [1, a, 1],
      [2, b, 1],
    ]);
    expect(log[1]?.record).toEqual(record(b));
    raw.disconnect();
    await store.close();
  });

  it('indexes the history of a store written before the index existed when it opens', async () => {
    const opts = freshOptions();
    const store = await openRedisStore(opts);
    const key = '88.100.5/old';
    await store.put(key, { handle: '88.100.5/OLD', values: [] }, undefined, META);
    await store.put('88.100.5/other', { handle: '88.100.5/OTHER', values: [] }, undefined, META);
    await store.delete(key, undefined, META);
    await store.close();
    // What an older idnode left behind: the change log, but no per-key index.
    const k = redisKeys(opts.keyPrefix!);
    const raw = new Redis(server.url, { lazyConnect: true });
    await raw.connect();
    await raw.del(k.history(key), k.history('88.100.5/other'), k.historyTo);
    raw.disconnect();
    const reopened = await openRedisStore(opts);
    expect((await reopened.historyOf(key, { limit: 10 })).entries.map((e) => [e.seq, e.op])).toEqual([
      [3, 'delete'],
      [1, 'put'],
    ]);
    // Commits after the backfill keep the index complete.
    await reopened.put(key, { handle: '88.100.5/OLD', values: [] }, { expectVersion: 2 }, META);
    expect((await reopened.historyOf(key, { limit: 1 })).entries.map((e) => e.seq)).toEqual([4]);
    await reopened.close();
  });

  it('publishes every write to the other instances on the namespace, one message per commit', async () => {
    const opts = freshOptions();
    const writer = await openRedisStore(opts);
    const other = await openRedisStore(opts);
    const own: string[] = [];
    const seen: string[] = [];
    const offOwn = await writer.subscribeInvalidations((key) => own.push(key));
    const offOther = await other.subscribeInvalidations((key) => seen.push(key));
    const raw = new Redis(server.url, { lazyConnect: true });
    await raw.connect();
    const messages: string[] = [];
    raw.on('message', (_c: string, m: string) => messages.push(m));
    await raw.subscribe(redisKeys(opts.keyPrefix!).invalidations);
    await writer.put('88.100.5/a', { handle: '88.100.5/A', values: [] }, undefined, META);
    await writer.commit(
      ['b', 'c', 'd'].map((s) => ({
        op: 'put' as const,
        key: `88.100.5/${s}`,
        input: { handle: `88.100.5/${s}`, values: [] },
        cond: undefined,
      })),
      META,
    );
    await writer.delete('88.100.5/a', undefined, META);
    const deadline = Date.now() + 5000;
    while (seen.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(['88.100.5/a', '88.100.5/b', '88.100.5/c', '88.100.5/d', '88.100.5/a']);
    expect(messages).toHaveLength(3);
    // The writer's own subscription skips its commits: RecordService announced them already.
    expect(own).toEqual([]);
    await Promise.all([offOwn(), offOther()]);
    raw.disconnect();
    await Promise.all([writer.close(), other.close()]);
  });

  it('gives a bulk commit a deadline scaled to its size, a single write the configured one', async () => {
    // The default command timeout (1 s), as a node started without IDNODE_REDIS_TIMEOUT_MS has it.
    const { commandTimeoutMs: _contract, ...opts } = freshOptions();
    const store = await openRedisStore(opts);
    const raw = new Redis(server.url, { lazyConnect: true });
    await raw.connect();
    // Holds the server busy for 2.5 s (a slow fsync or a big script of another writer).
    const busy = (): Promise<unknown> =>
      raw.eval(
        "local s = redis.call('TIME') local t0 = s[1] * 1e6 + s[2] " +
          "repeat local t = redis.call('TIME') until t[1] * 1e6 + t[2] - t0 > 2500000 return 1",
        0,
      );
    const ops = Array.from({ length: 2500 }, (_, i) => ({
      op: 'put' as const,
      key: `88.100.5/bulk-${i}`,
      input: { handle: `88.100.5/bulk-${i}`, values: [] },
      cond: { expectAbsent: true as const },
    }));
    const blocked = busy();
    await new Promise((r) => setTimeout(r, 20));
    await expect(store.commit(ops, META)).resolves.toHaveLength(2500);
    await blocked;
    const blockedAgain = busy();
    await new Promise((r) => setTimeout(r, 20));
    await expect(
      store.put('88.100.5/one', { handle: '88.100.5/one', values: [] }, undefined, META),
    ).rejects.toMatchObject({ code: 'IDN_ERR_STORE_UNAVAILABLE' });
    await blockedAgain;
    const stored = await Promise.all(ops.map((o) => store.get(o.key)));
    expect(stored.filter((r) => r !== undefined)).toHaveLength(2500);
    raw.disconnect();
    await store.close();
  });

  it('lists keys with non-ASCII and brace characters in byte order', async () => {
    const store = await openRedisStore(freshOptions());
    const keys = ['88.100.5/a{x}', '88.100.5/b', '88.100.5/é', '88.100.5/日本', '88.100.50/other'];
    for (const k of keys) await store.put(k, { handle: k, values: [] }, undefined, META);
    const page = await store.list('88.100.5/', { limit: 2 });
    expect(page).toEqual({ keys: keys.slice(0, 2), next: keys[1] });
    expect(await store.list('88.100.5/', { after: page.next, limit: 10 })).toEqual({ keys: keys.slice(2, 4) });
    await store.close();
  });

  it('refuses a key prefix that could break the hash tag', async () => {
    await expect(openRedisStore({ url: server.url, keyPrefix: 'a}b' })).rejects.toMatchObject({
      code: 'IDN_ERR_STORE_UNAVAILABLE',
    });
  });

  it('fails fast with STORE_UNAVAILABLE when nothing listens', async () => {
    const started = Date.now();
    await expect(openRedisStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 300 })).rejects.toMatchObject({
      code: 'IDN_ERR_STORE_UNAVAILABLE',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
