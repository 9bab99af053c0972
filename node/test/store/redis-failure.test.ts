import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIdnError } from '../../src/errors/idn-error.ts';
import { openRedisStore, type RedisStore } from '../../src/store/redis-store.ts';
import { redisKeys } from '../../src/store/redis-keys.ts';
import {
  redisCli,
  startRedisCluster,
  startRedisServer,
  type RedisClusterHandle,
  type RedisServer,
} from '../helpers/redis-server.ts';

/*
 * Redis going away under load: calls must fail fast with STORE_UNAVAILABLE (no hang, no queue),
 * the same store object must recover by itself, and no acknowledged write may be lost.
 */

const META = { actor: 'failure-test' };
const TIMEOUT_MS = 1000;
const LANES = 16;

interface Tally {
  /** Highest acknowledged version per key. */
  readonly acked: Map<string, number>;
  ackCount: number;
  errors: number;
  /** Slowest rejection seen: how long a caller waited to learn the store was unavailable. */
  maxErrorMs: number;
  lastError?: string;
  /** Time of the first acknowledgement at or after `since`, per `markSince`. */
  firstAckAfterMark?: number;
  mark?: number;
}

const newTally = (): Tally => ({ acked: new Map(), ackCount: 0, errors: 0, maxErrorMs: 0 });

/** Each lane rewrites its own key as fast as the store answers, until `stop` is set. */
async function writeLane(store: RedisStore, key: string, tally: Tally, until: { stop: boolean }): Promise<void> {
  while (!until.stop) {
    const started = Date.now();
    try {
      const rec = await store.put(key, { handle: key, values: [] }, undefined, META);
      tally.acked.set(key, Math.max(tally.acked.get(key) ?? 0, rec.version));
      tally.ackCount++;
      if (tally.mark !== undefined && tally.firstAckAfterMark === undefined) tally.firstAckAfterMark = Date.now();
    } catch (e) {
      tally.errors++;
      tally.maxErrorMs = Math.max(tally.maxErrorMs, Date.now() - started);
      tally.lastError = isIdnError(e) ? `${e.code} ${JSON.stringify(e.detail)}` : String(e);
      await sleep(20);
    }
  }
}

/** Acknowledged writes whose version is not (or no longer) in the store. */
async function countLost(store: RedisStore, tally: Tally): Promise<number> {
  let lost = 0;
  for (const [key, version] of tally.acked) {
    const rec = await store.get(key);
    if (rec === undefined || rec.version < version) lost++;
  }
  return lost;
}

async function timed(p: Promise<unknown>): Promise<{ ms: number; code: string | undefined }> {
  const started = Date.now();
  try {
    await p;
    return { ms: Date.now() - started, code: undefined };
  } catch (e) {
    return { ms: Date.now() - started, code: isIdnError(e) ? e.code : String(e) };
  }
}

async function untilWorks(store: RedisStore, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    try {
      await store.put('88.1/probe', { handle: '88.1/probe', values: [] }, undefined, META);
      return Date.now() - started;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`store did not recover within ${ms} ms`);
}

describe('single Redis (AOF always): kill -9 and restart', () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await server.cleanup();
  });

  it('fails fast while down, recovers by itself, loses no acknowledged write', async () => {
    const store = await openRedisStore({ url: server.url, keyPrefix: 'single', commandTimeoutMs: TIMEOUT_MS });
    let reconnects = 0;
    store.onReconnect(() => reconnects++);
    const tally = newTally();
    const until = { stop: false };
    const lanes = Array.from({ length: LANES }, (_, i) => writeLane(store, `88.1/lane-${i}`, tally, until));
    await sleep(500);
    await server.kill('SIGKILL');
    const ackedAtKill = tally.ackCount;
    until.stop = true;
    await Promise.all(lanes);

    const down = [
      await timed(store.get('88.1/lane-0')),
      await timed(store.put('88.1/x', { handle: '88.1/x', values: [] }, undefined, META)),
      await timed(store.allocate('88.1/c', 1)),
      await timed(store.list('88.1/', { limit: 10 })),
    ];
    const restarted = Date.now();
    await server.restart();
    const recoveryMs = await untilWorks(store, 10_000);
    const lost = await countLost(store, tally);
    console.log(
      `single redis: acked=${tally.ackCount} (at kill ${ackedAtKill}, keys ${tally.acked.size}), lost=${lost}, ` +
        `failed-during-kill=${tally.errors} (slowest ${tally.maxErrorMs} ms); down-call latency ms=${down.map((d) => d.ms).join('/')}; ` +
        `recovered ${recoveryMs} ms after restart (restart itself ${Date.now() - restarted - recoveryMs} ms), reconnect events=${reconnects}`,
    );
    for (const d of down) {
      expect(d.code).toBe('IDN_ERR_STORE_UNAVAILABLE');
      expect(d.ms).toBeLessThan(TIMEOUT_MS + 300);
    }
    expect(tally.ackCount).toBeGreaterThan(0);
    expect(lost).toBe(0);
    expect(recoveryMs).toBeLessThan(5000);
    expect(reconnects).toBeGreaterThanOrEqual(1);
    expect(tally.maxErrorMs).toBeLessThan(TIMEOUT_MS + 300);
    await store.close();
  });

  it('times out calls to a server that hangs (SIGSTOP) and works again after SIGCONT', async () => {
    const store = await openRedisStore({ url: server.url, keyPrefix: 'stopped', commandTimeoutMs: TIMEOUT_MS });
    await store.put('88.1/a', { handle: '88.1/a', values: [] }, undefined, META);
    server.signal('SIGSTOP');
    let hung: { ms: number; code: string | undefined }[];
    try {
      hung = await Promise.all([
        timed(store.get('88.1/a')),
        timed(store.put('88.1/b', { handle: '88.1/b', values: [] }, undefined, META)),
        timed(store.allocate('88.1/c', 1)),
      ]);
    } finally {
      server.signal('SIGCONT');
    }
    const recoveryMs = await untilWorks(store, 10_000);
    console.log(
      `hung redis: call latency ms=${hung.map((h) => h.ms).join('/')}; works again ${recoveryMs} ms after SIGCONT`,
    );
    for (const h of hung) {
      expect(h.code).toBe('IDN_ERR_STORE_UNAVAILABLE');
      expect(h.ms).toBeLessThan(TIMEOUT_MS + 300);
    }
    expect((await store.get('88.1/a'))?.version).toBe(1);
    await store.close();
  });
});

describe('Redis Cluster (3 masters + replicas, WAIT 1): kill the master of the store slot', () => {
  let cluster: RedisClusterHandle;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  }, 60_000);

  afterAll(async () => {
    await cluster.cleanup();
  });

  it('fails over, acknowledges again once a replica is back, reports acknowledged-and-lost', async () => {
    const store = await openRedisStore({
      nodes: cluster.nodes,
      keyPrefix: 'failover',
      commandTimeoutMs: TIMEOUT_MS,
      waitReplicas: 1,
    });
    const seed = cluster.nodes[0]?.port ?? 0;
    const slot = Number(await redisCli(seed, 'CLUSTER', 'KEYSLOT', redisKeys('failover').seq));
    const master = await cluster.masterOf(slot);
    const tally = newTally();
    const until = { stop: false };
    const lanes = Array.from({ length: LANES }, (_, i) => writeLane(store, `88.1/lane-${i}`, tally, until));
    await sleep(700);
    const ackedBeforeKill = tally.ackCount;
    const killedAt = Date.now();
    let down: Promise<{ ms: number; code: string | undefined }> | undefined;
    const promoted = await cluster.killMasterAndAwaitFailover(master, {
      ms: 20_000,
      onKilled: () => {
        down = timed(store.get('88.1/lane-0'));
      },
    });
    const promotedAfter = Date.now() - killedAt;
    // The promoted replica has no replica of its own, so WAIT 1 cannot be met and writes are
    // (rightly) not acknowledged until the old master is back, now as its replica.
    const unconfirmedBeforeRejoin = tally.errors;
    await cluster.rejoin(master);
    const rejoinedAfter = Date.now() - killedAt;
    tally.mark = Date.now();
    const errorsAtRejoin = tally.errors;
    await sleep(1500);
    until.stop = true;
    await Promise.all(lanes);
    const resumedAfter = (tally.firstAckAfterMark ?? Number.NaN) - killedAt;
    const lost = await countLost(store, tally);
    const downCall = (await down) ?? { ms: Number.NaN, code: 'not run' };
    console.log(
      `cluster: killed master :${master.port}, replica :${promoted.port} promoted after ${promotedAfter} ms, ` +
        `old master rejoined as replica after ${rejoinedAfter} ms; writes acknowledged again ${resumedAfter} ms after the kill; ` +
        `acked=${tally.ackCount} (before kill ${ackedBeforeKill}), lost=${lost}; failed writes=${tally.errors} ` +
        `(${unconfirmedBeforeRejoin} before the rejoin started, ${tally.errors - errorsAtRejoin} after it; last: ${tally.lastError}); get during kill ${downCall.ms} ms ${downCall.code ?? 'ok'}`,
    );
    expect(tally.ackCount).toBeGreaterThan(ackedBeforeKill);
    expect(tally.firstAckAfterMark).toBeDefined();
    expect(downCall.ms).toBeLessThan(3 * TIMEOUT_MS + 300);
    expect(lost).toBe(0);
    await store.close();
  });
});
