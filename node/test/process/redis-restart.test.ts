import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIdentifier } from '../../src/identifier/index.ts';
import { openRedisStore, type RedisStoreOptions } from '../../src/store/redis-store.ts';
import { redisKeys } from '../../src/store/redis-keys.ts';
import {
  redisCli,
  startRedisCluster,
  startRedisServer,
  type RedisClusterHandle,
  type RedisServer,
} from '../helpers/redis-server.ts';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';
import { basicAuth } from '../helpers/test-node.ts';

/*
 * Redis dies under load (readers of cached and uncached identifiers, a writer), with real node
 * processes in front of it. The node must not crash, no request may outlive its deadline, cached
 * identifiers keep resolving, uncached ones and writes fail fast with 503 STORE_UNAVAILABLE, and
 * once Redis is back writes work again with no acknowledged write lost.
 */

const SECRET = 'redis-restart-secret-0123';
const AUTH = basicAuth('300:88.100.5/ADMIN', SECRET);
const REDIS_TIMEOUT_MS = 1000;
/** The longest a request may take: one store call's own deadline (read + script + WAIT) plus a margin. */
const REQUEST_DEADLINE_MS = 3 * REDIS_TIMEOUT_MS + 250 + 750;
/** Client-side abort far beyond the deadline, so a hung request is recorded instead of hanging the test. */
const CLIENT_ABORT_MS = 15_000;
const CACHED = Array.from({ length: 20 }, (_, i) => `88.100.5/CACHED-${i}`);
const WRITE_KEYS = Array.from({ length: 20 }, (_, i) => `88.100.5/W-${i}`);

type Kind = 'cached' | 'uncached' | 'write';
type Phase = 'up' | 'down' | 'back';

interface Sample {
  readonly kind: Kind;
  readonly phase: Phase;
  readonly startedAt: number;
  readonly ms: number;
  readonly status: number;
  readonly code?: string;
}

class Load {
  phase: Phase = 'up';
  /** Requests started before this time are not judged as "down" (the outage is being noticed). */
  downSince = Infinity;
  firstAckWhileBack: number | undefined;
  readonly samples: Sample[] = [];
  readonly acked = new Map<string, number>();
  #stop = false;
  #workers: Promise<void>[] = [];
  #unc = 0;
  #writes = 0;
  readonly #node: NodeProcess;

  constructor(node: NodeProcess) {
    this.#node = node;
  }

  start(): void {
    this.#workers = [
      this.#loop('cached', () => this.#get(CACHED[Math.floor(Math.random() * CACHED.length)]!)),
      this.#loop('cached', () => this.#get(CACHED[Math.floor(Math.random() * CACHED.length)]!)),
      this.#loop('uncached', () => this.#get(`88.100.5/UNCACHED-${this.#unc++}-${randomBytes(4).toString('hex')}`)),
      this.#loop('uncached', () => this.#get(`88.100.5/UNCACHED-${this.#unc++}-${randomBytes(4).toString('hex')}`)),
      this.#loop('write', () => this.#put()),
    ];
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await Promise.all(this.#workers);
  }

  async #loop(kind: Kind, send: () => Promise<{ status: number; code?: string; version?: number; key?: string }>) {
    while (!this.#stop) {
      const phase = this.phase;
      const startedAt = performance.now();
      let r: { status: number; code?: string; version?: number; key?: string };
      try {
        r = await send();
      } catch (e) {
        r = { status: 0, code: (e as Error).name };
      }
      const ms = performance.now() - startedAt;
      this.samples.push({ kind, phase, startedAt, ms, status: r.status, ...(r.code ? { code: r.code } : {}) });
      if (kind === 'write' && r.version !== undefined && r.key !== undefined) {
        this.acked.set(r.key, Math.max(r.version, this.acked.get(r.key) ?? 0));
        if (phase === 'back' && this.firstAckWhileBack === undefined) this.firstAckWhileBack = performance.now();
      }
      // Failed calls are fast; do not spin on them.
      if (r.status >= 500 || r.status === 0) await sleep(10);
    }
  }

  async #get(handle: string): Promise<{ status: number; code?: string }> {
    const res = await fetch(`${this.#node.url}/api/handles/${handle}`, {
      signal: AbortSignal.timeout(CLIENT_ABORT_MS),
    });
    const body = (await res.json()) as { code?: string };
    return { status: res.status, ...(body.code ? { code: body.code } : {}) };
  }

  async #put(): Promise<{ status: number; code?: string; version?: number; key?: string }> {
    const n = this.#writes++;
    const handle = WRITE_KEYS[n % WRITE_KEYS.length]!;
    const res = await fetch(`${this.#node.url}/api/handles/${handle}`, {
      method: 'PUT',
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: `https://passport.example/w/${n}` }] }),
      signal: AbortSignal.timeout(CLIENT_ABORT_MS),
    });
    const body = (await res.json()) as { code?: string; version?: number };
    if (res.status === 200 || res.status === 201) return { status: res.status, version: body.version, key: handle };
    return { status: res.status, ...(body.code ? { code: body.code } : {}) };
  }

  /** Requests started after the outage was noticed and before recovery began. */
  during(kind: Kind): Sample[] {
    return this.samples.filter((s) => s.kind === kind && s.phase === 'down' && s.startedAt >= this.downSince);
  }

  maxMs(): number {
    return Math.max(...this.samples.map((s) => s.ms));
  }

  summary(): string {
    const by = (k: Kind): string => {
      const d = this.during(k);
      const statuses = new Map<string, number>();
      for (const s of d)
        statuses.set(
          `${s.status}${s.code ? ' ' + s.code : ''}`,
          (statuses.get(`${s.status}${s.code ? ' ' + s.code : ''}`) ?? 0) + 1,
        );
      const max = Math.max(0, ...d.map((s) => s.ms));
      return `${k} ${d.length} [${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}] max ${max.toFixed(0)} ms`;
    };
    return `during the outage: ${by('cached')}; ${by('uncached')}; ${by('write')}`;
  }
}

async function warmCache(node: NodeProcess): Promise<void> {
  for (const h of CACHED) {
    const res = await fetch(`${node.url}/api/handles/${h}`, {
      method: 'PUT',
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: `https://passport.example/${h}` }] }),
    });
    expect([200, 201]).toContain(res.status);
    for (let i = 0; i < 2; i++) await (await fetch(`${node.url}/api/handles/${h}`)).arrayBuffer();
    expect((await fetch(`${node.url}/api/handles/${h}`)).headers.get('x-idnode-source')).toBe('cache');
  }
}

async function lostWrites(opts: RedisStoreOptions, acked: ReadonlyMap<string, number>): Promise<number> {
  const store = await openRedisStore({ ...opts, keyPrefix: 'idn', commandTimeoutMs: 3000 });
  try {
    let lost = 0;
    for (const [handle, version] of acked) {
      const rec = await store.get(parseIdentifier(handle, 'text').key);
      if (rec === undefined || rec.version < version) lost++;
    }
    return lost;
  } finally {
    await store.close();
  }
}

async function alive(node: NodeProcess): Promise<boolean> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return false;
  return (await fetch(`${node.url}/livez`)).ok;
}

const dirs: string[] = [];
const nodes: NodeProcess[] = [];
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function startNode(env: Record<string, string>): Promise<NodeProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'idnode-restart-'));
  dirs.push(dataDir);
  const node = await spawnNode({
    IDNODE_DATA_DIR: dataDir,
    IDNODE_ADMIN_SECRET: SECRET,
    IDNODE_LOG_LEVEL: 'warn',
    IDNODE_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
    ...env,
  });
  nodes.push(node);
  return node;
}

describe('single redis-server (AOF, appendfsync always) killed under load and restarted', () => {
  let redis: RedisServer;
  afterAll(async () => {
    await redis?.cleanup();
  });

  it('serves cached identifiers, fails the rest fast, recovers, loses no acknowledged write', async () => {
    redis = await startRedisServer();
    const node = await startNode({ IDNODE_REDIS_URL: redis.url });
    await warmCache(node);
    const load = new Load(node);
    load.start();
    await sleep(1500);

    const killedAt = performance.now();
    load.phase = 'down';
    await redis.kill('SIGKILL');
    load.downSince = performance.now() + 200;
    await sleep(3000);

    load.phase = 'back';
    await redis.restart();
    const restartedAt = performance.now();
    const deadline = Date.now() + 10_000;
    while (load.firstAckWhileBack === undefined && Date.now() < deadline) await sleep(20);
    await sleep(1000);
    await load.stop();

    const recoveryMs = (load.firstAckWhileBack ?? NaN) - restartedAt;
    const lost = await lostWrites({ url: redis.url }, load.acked);
    const ackedWrites = load.samples.filter((s) => s.kind === 'write' && s.status < 300).length;
    console.log(
      `redis-restart single: ${load.samples.length} requests, max latency ${load.maxMs().toFixed(0)} ms ` +
        `(deadline ${REQUEST_DEADLINE_MS} ms); ${load.summary()}; writes acknowledged again ${recoveryMs.toFixed(0)} ms after ` +
        `redis-server answered PING again (${(load.firstAckWhileBack ?? NaN) - killedAt > 0 ? ((load.firstAckWhileBack ?? NaN) - killedAt).toFixed(0) : 'n/a'} ms after the kill); ` +
        `acked writes ${ackedWrites} over ${load.acked.size} keys, lost ${lost}`,
    );
    expect(await alive(node)).toBe(true);
    expect(load.maxMs()).toBeLessThan(REQUEST_DEADLINE_MS);
    const cached = load.during('cached');
    const uncached = load.during('uncached');
    const writes = load.during('write');
    expect(cached.length).toBeGreaterThan(0);
    for (const s of cached) expect(s.status).toBe(200);
    expect(uncached.length).toBeGreaterThan(0);
    for (const s of uncached) expect([s.status, s.code]).toEqual([503, 'IDN_ERR_STORE_UNAVAILABLE']);
    expect(writes.length).toBeGreaterThan(0);
    for (const s of writes) expect([s.status, s.code]).toEqual([503, 'IDN_ERR_STORE_UNAVAILABLE']);
    // Fail fast: an outage answer must not wait out the whole store deadline.
    for (const s of [...uncached, ...writes]) expect(s.ms).toBeLessThan(REDIS_TIMEOUT_MS + 500);
    expect(recoveryMs).toBeLessThan(5000);
    expect(lost).toBe(0);
    // The operator is told, at warn level: one line when the connection went, one when it came back.
    const events = node
      .output()
      .split('\n')
      .filter((l) => l.includes('"log":"store"') && l.includes('"event":'))
      .map((l) => (JSON.parse(l) as { event: string; backend: string }).event);
    expect(events).toEqual(['connection-lost', 'connection-restored']);
    // And counted, for alerts: one loss, one restore, connected again.
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/^idnode_store_connection_events_total\{event="lost"\} 1$/m);
    expect(metrics).toMatch(/^idnode_store_connection_events_total\{event="restored"\} 1$/m);
    expect(metrics).toMatch(/^idnode_store_connected 1$/m);
  }, 60_000);
});

describe('Redis Cluster (3 masters + replicas, WAIT 1): the master of the store slot killed under load', () => {
  let cluster: RedisClusterHandle | undefined;
  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('keeps serving cached identifiers, fails over, loses no acknowledged write', async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    const seeds = cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',');
    const node = await startNode({ IDNODE_REDIS_CLUSTER: seeds, IDNODE_REDIS_WAIT_REPLICAS: '1' });
    await warmCache(node);
    const slot = Number(await redisCli(cluster.nodes[0]!.port, 'CLUSTER', 'KEYSLOT', redisKeys('idn').seq));
    const master = await cluster.masterOf(slot);
    const load = new Load(node);
    load.start();
    await sleep(1500);

    const killedAt = performance.now();
    load.phase = 'down';
    const promoted = await cluster.killMasterAndAwaitFailover(master, {
      ms: 20_000,
      onKilled: () => void (load.downSince = performance.now() + 200),
    });
    const promotedAfter = performance.now() - killedAt;
    load.phase = 'back';
    // Until the old master rejoins as the promoted one's replica, WAIT 1 cannot be met.
    await cluster.rejoin(master);
    const rejoinedAt = performance.now();
    const deadline = Date.now() + 10_000;
    while (load.firstAckWhileBack === undefined && Date.now() < deadline) await sleep(20);
    await sleep(1000);
    await load.stop();

    const lost = await lostWrites({ nodes: cluster.nodes }, load.acked);
    const ackedWrites = load.samples.filter((s) => s.kind === 'write' && s.status < 300).length;
    const firstAck = load.firstAckWhileBack ?? NaN;
    console.log(
      `redis-restart cluster: killed master :${master.port}, :${promoted.port} promoted ${promotedAfter.toFixed(0)} ms after the kill, ` +
        `old master back as a replica ${(rejoinedAt - killedAt).toFixed(0)} ms after it; writes acknowledged again ` +
        `${(firstAck - killedAt).toFixed(0)} ms after the kill (${(firstAck - rejoinedAt).toFixed(0)} ms after the rejoin); ` +
        `${load.samples.length} requests, max latency ${load.maxMs().toFixed(0)} ms (deadline ${REQUEST_DEADLINE_MS} ms); ` +
        `${load.summary()}; acked writes ${ackedWrites} over ${load.acked.size} keys, lost ${lost}`,
    );
    expect(await alive(node)).toBe(true);
    expect(load.maxMs()).toBeLessThan(REQUEST_DEADLINE_MS);
    for (const s of load.during('cached')) expect(s.status).toBe(200);
    for (const s of load.during('uncached')) expect([404, 503]).toContain(s.status);
    expect(load.firstAckWhileBack).toBeDefined();
    expect(lost).toBe(0);
  }, 90_000);
});
