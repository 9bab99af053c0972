import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore, type RedisStore, type RedisStoreOptions } from '../../src/store/redis-store.ts';
import { redisKeys } from '../../src/store/redis-keys.ts';
import { decodeInvalidation } from '../../src/store/redis-invalidation.ts';
import type { StoreOp } from '../../src/store/store.ts';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.ts';

/**
 * One write path on Redis: a single-record write and a bulk import chunk (more ops than
 * OPS_PER_TIMEOUT, which only scales the deadline) run the same commit script through the same
 * call, so conditions, change-log numbering and invalidation must be the same at both sizes.
 */

let server: RedisServer;
let namespaces = 0;
const META = { actor: 'test', reason: 'commit path' };
const options = (): RedisStoreOptions => ({
  url: server.url,
  keyPrefix: `cp${++namespaces}-${process.pid}`,
  // Behaviour, not latency: other suites share the two cores.
  commandTimeoutMs: 5000,
});

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server.cleanup();
});

const key = (tag: string, i: number): string => `88.100.5/${tag}-${String(i).padStart(4, '0')}`;
const creates = (tag: string, n: number): StoreOp[] =>
  Array.from({ length: n }, (_, i) => ({
    op: 'put' as const,
    key: key(tag, i),
    input: { handle: key(tag, i).toUpperCase(), values: [] },
    cond: { expectAbsent: true as const },
  }));

async function withStore<T>(fn: (store: RedisStore, opts: RedisStoreOptions) => Promise<T>): Promise<T> {
  const opts = options();
  const store = await openRedisStore(opts);
  try {
    return await fn(store, opts);
  } finally {
    await store.close();
  }
}

describe.each([
  ['a small commit', 3],
  ['a bulk commit', 600],
])('Redis: %s (%i ops) on the one commit path', (_label, n) => {
  it('refuses all of it when a create meets an existing key, naming the op, writing nothing', () =>
    withStore(async (store) => {
      await store.put(key('x', n - 1), { handle: 'EXISTING', values: [] }, undefined, META);
      const before = await store.lastSeq();
      await expect(store.commit(creates('x', n), META)).rejects.toMatchObject({
        code: 'IDN_ERR_ALREADY_EXISTS',
        detail: { op: n - 1 },
      });
      expect(await store.lastSeq()).toBe(before);
      const stored = await store.getMany!(creates('x', n).map((o) => o.key));
      expect(stored.filter((r) => r !== undefined).map((r) => r.handle)).toEqual(['EXISTING']);
    }));

  it('refuses all of it on a version mismatch, naming the op', () =>
    withStore(async (store) => {
      const middle = Math.floor(n / 2);
      await store.put(key('v', middle), { handle: 'V', values: [] }, undefined, META);
      const ops = creates('v', n).map((o, i): StoreOp => (i === middle ? { ...o, cond: { expectVersion: 7 } } : o));
      const before = await store.lastSeq();
      await expect(store.commit(ops, META)).rejects.toMatchObject({
        code: 'IDN_ERR_VERSION_MISMATCH',
        detail: { op: middle },
      });
      expect(await store.lastSeq()).toBe(before);
    }));

  it('numbers its entries right after the last seq, in op order, as a fresh reader reads them', () =>
    withStore(async (store, opts) => {
      await store.put('88.100.5/first', { handle: '88.100.5/FIRST', values: [] }, undefined, META);
      const before = await store.lastSeq();
      const ops = creates('s', n);
      const records = await store.commit(ops, META);
      expect(records.map((r) => r.version)).toEqual(ops.map(() => 1));
      expect(await store.lastSeq()).toBe(before + n);
      const own = await store.changesSince(before, n);
      // Another instance has none of these in memory: it reads the log itself.
      const fresh = await openRedisStore(opts);
      const read = await fresh.changesSince(before, n);
      await fresh.close();
      expect(own).toEqual(read);
      expect(read.map((e) => e.seq)).toEqual(ops.map((_, i) => before + 1 + i));
      expect(read.map((e) => [e.key, e.op, e.actor, e.reason])).toEqual(
        ops.map((o) => [o.key, 'put', 'test', 'commit path']),
      );
      const last = await store.historyOf(ops[n - 1]!.key, { limit: 5 });
      expect(last.entries.map((e) => e.seq)).toEqual([before + n]);
    }));

  it('publishes one invalidation message naming every key, in op order', () =>
    withStore(async (store, opts) => {
      const raw = new Redis(server.url, { lazyConnect: true });
      await raw.connect();
      const messages: string[] = [];
      raw.on('message', (_c: string, m: string) => messages.push(m));
      await raw.subscribe(redisKeys(opts.keyPrefix!).invalidations);
      const ops = creates('i', n);
      await store.commit(ops, META);
      const deadline = Date.now() + 5000;
      while (messages.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      raw.disconnect();
      expect(messages).toHaveLength(1);
      expect(decodeInvalidation(messages[0]!).keys).toEqual(ops.map((o) => o.key));
    }));
});

describe('Redis: getMany', () => {
  it('answers the same for a few keys (pipelined) and many (one script), absent and repeated keys included', () =>
    withStore(async (store) => {
      await store.commit(creates('g', 40), META);
      const many = [...creates('g', 45).map((o) => o.key), key('g', 3), key('g', 44)];
      const few = [key('g', 1), key('g', 41), key('g', 1)];
      for (const keys of [many, few]) {
        const one = await Promise.all(keys.map((k) => store.get(k)));
        expect(await store.getMany!(keys)).toEqual(one);
      }
      expect((await store.getMany!(many)).filter((r) => r === undefined)).toHaveLength(6);
    }));
});
