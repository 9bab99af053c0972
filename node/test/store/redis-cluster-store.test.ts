import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/store/redis-keys.ts';
import { openRedisStore, type RedisStoreOptions } from '../../src/store/redis-store.ts';
import { startRedisCluster, type RedisClusterHandle } from '../helpers/redis-server.ts';
import { runStoreContract } from './store-contract.ts';

let cluster: RedisClusterHandle;
let namespaces = 0;
/**
 * The contract checks behaviour, not latency: with fsync on every write and other suites' Redis
 * processes on the same two cores, a write can exceed the 1 s default. Fail-fast timing is tested
 * in redis-failure.test.ts.
 */
const CONTRACT_TIMEOUT_MS = 5000;
/** A namespace per harness: each lands on some slot, so the suite exercises every master. */
const freshOptions = (): RedisStoreOptions => ({
  nodes: cluster.nodes,
  keyPrefix: `c${++namespaces}-${process.pid}`,
  commandTimeoutMs: CONTRACT_TIMEOUT_MS,
  waitReplicas: 1,
});

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
}, 60_000);

afterAll(async () => {
  await cluster.cleanup();
});

runStoreContract('redis cluster (3 masters, WAIT 1)', async () => {
  const opts = freshOptions();
  return {
    store: await openRedisStore(opts),
    reopen: () => openRedisStore(opts),
    cleanup: () => Promise.resolve(),
  };
});

describe('Redis Cluster slots', () => {
  it('keeps every key of a store in one slot, whatever braces a suffix holds', async () => {
    const raw = new Cluster(cluster.nodes.slice(0, 1), { lazyConnect: true });
    await raw.connect();
    const k = redisKeys('idn');
    const names = [k.record('88.100.5/{a}'), k.record('88.100.5/}{b}'), k.record('88.1/x'), k.index, k.seq, k.log];
    const slots = new Set<unknown>();
    for (const name of names) slots.add(await raw.call('CLUSTER', 'KEYSLOT', name));
    expect(slots.size).toBe(1);
    await raw.quit();
  });

  it('keeps separate namespaces independent (each its own seq)', async () => {
    const stores = await Promise.all(Array.from({ length: 6 }, () => openRedisStore(freshOptions())));
    for (const [i, s] of stores.entries())
      await s.put(`88.1/k${i}`, { handle: `88.1/K${i}`, values: [] }, undefined, { actor: 't' });
    for (const s of stores) expect(await s.lastSeq()).toBe(1);
    await Promise.all(stores.map((s) => s.close()));
  });
});
