import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { generateCerts } from '../../src/federation/certs-command.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import { openRedisStore } from '../../src/store/redis-store.ts';
import type { ReadonlyStore } from '../../src/store/store.ts';
import { startRedisServer, waitUntil } from '../helpers/redis-server.ts';
import { freePort, spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';
import { basicAuth } from '../helpers/test-node.ts';
import { CrashLedger } from './crash-ledger.ts';
import { MixedLoad, PREFIX } from './crash-load.ts';

/**
 * Crash rounds (issue 13 item 1). Each round: a mixed write load, a SIGKILL at a random point
 * (of the node, or of redis-server with AOF fsync always under a running node), then the store
 * is checked against everything acknowledged, the cut batch and serial requests are sent again
 * with their Idempotency-Keys, and the next round starts. The node is a secondary streaming its
 * change log to a top-level node, so the last check is the sync cursor: the top-level's synced
 * copy of the prefix equals the secondary.
 */

const SECRET = 'crash-rounds-secret-0123';
const AUTH = basicAuth(`300:${PREFIX}/ADMIN`, SECRET);

export interface RoundsFigure {
  readonly rounds: number;
  readonly acknowledged: number;
  readonly puts: number;
  readonly deletes: number;
  readonly batchLines: number;
  readonly serialRanges: number;
  readonly lastSeq: number;
  readonly problems: readonly string[];
  /** Node mode: records of the prefix on the secondary, and those that differ on the top-level. */
  readonly synced?: { readonly records: number; readonly differ: number };
}

/**
 * Acknowledged single writes (puts, deletes, serial ranges) at which a round is killed: spread so
 * kills land before, during and after the round's batch.
 */
const killAt = (round: number): number => 10 + ((round * 7919) % 140);

function figure(ledger: CrashLedger, rounds: number, acknowledged: number, lastSeq: number) {
  const batchLines = [...ledger.batches.values()].reduce((n, m) => n + m.size, 0);
  return {
    rounds,
    acknowledged,
    puts: ledger.puts.size,
    deletes: ledger.deletes.size,
    batchLines,
    serialRanges: ledger.serials.size,
    lastSeq,
    problems: ledger.problems,
  };
}

/** One round of load until `acks` acknowledgements (bounded), then `kill`. */
async function loadThenKill(load: MixedLoad, acks: number, kill: () => Promise<unknown>): Promise<void> {
  load.start();
  const end = performance.now() + 60_000;
  while (load.singles < acks && performance.now() < end) await sleep(20);
  await kill();
  await load.stop();
}

/** What a crash cut: the batch sent again in full, each unanswered serial request again. */
async function resume(load: MixedLoad): Promise<void> {
  for (const round of [...load.unanswered.batches]) {
    if (!(await load.batch(round))) throw new Error(`batch ${round} did not complete after the restart`);
  }
  for (const key of [...load.unanswered.serials]) {
    if (!(await load.serial(key))) throw new Error(`serial ${key} failed after the restart`);
  }
}

async function withLmdb<T>(path: string, fn: (s: ReadonlyStore) => Promise<T>): Promise<T> {
  const store = await openLmdbStore({ path });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Every record of the prefix, deleted ones included as tombstones (values compared, not versions). */
async function contents(store: ReadonlyStore, keys: Iterable<string>): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const key of keys) {
    const r = await store.get(key);
    out.set(
      key,
      r === undefined ? undefined : { deleted: r.deletedAt !== undefined, values: r.deletedAt ? [] : r.values },
    );
  }
  return out;
}

async function keysOf(store: ReadonlyStore): Promise<Set<string>> {
  const keys = new Set<string>();
  for (let after = 0, last = await store.lastSeq(); after < last;) {
    const page = await store.changesSince(after, 5000);
    if (page.length === 0) break;
    for (const e of page) if (e.key.startsWith(`${PREFIX}/`)) keys.add(e.key);
    after = page[page.length - 1]!.seq;
  }
  return keys;
}

/** SIGKILL of a secondary node (LMDB) during the load, `rounds` times; then the top-level copy. */
export async function nodeCrashRounds(rounds: number): Promise<RoundsFigure> {
  const dir = await mkdtemp(join(tmpdir(), 'idnode-crash-rounds-'));
  const certs = join(dir, 'certs');
  const procs: NodeProcess[] = [];
  try {
    await generateCerts({ out: certs, nodes: ['top', 'secA'] });
    const common = {
      IDNODE_ADMIN_SECRET: SECRET,
      IDNODE_LOG_LEVEL: 'warn',
      IDNODE_DRAIN_DELAY_MS: '0',
      IDNODE_HEARTBEAT_S: '1',
    };
    const top = await spawnNode(
      {
        ...common,
        IDNODE_DATA_DIR: join(dir, 'top'),
        IDNODE_ROLE: 'top-level',
        IDNODE_PREFIXES: '88',
        IDNODE_TLS_DIR: join(certs, 'top'),
        IDNODE_DELEGATIONS: '88.100=secA',
      },
      60_000,
      { grpc: true },
    );
    procs.push(top);
    const secEnv = {
      ...common,
      IDNODE_DATA_DIR: join(dir, 'secA'),
      IDNODE_ROLE: 'secondary',
      IDNODE_PREFIXES: '88.100,88.100.5',
      IDNODE_UPSTREAM: `127.0.0.1:${top.grpcPort}`,
      IDNODE_TLS_DIR: join(certs, 'secA'),
      IDNODE_HTTP_PORT: String(await freePort()),
      IDNODE_GRPC_PORT: String(await freePort()),
    };
    const ledger = new CrashLedger();
    const unanswered = { batches: new Set<number>(), serials: new Set<string>() };
    let acknowledged = 0;
    let lastSeq = 0;
    for (let round = 0; round <= rounds; round++) {
      const sec = await spawnNode(secEnv, 60_000);
      procs.push(sec);
      const load = new MixedLoad({ url: sec.url, auth: AUTH }, ledger, round, unanswered);
      await resume(load);
      if (round === rounds) {
        acknowledged += load.acks;
        const synced = await awaitSync(top, sec, join(dir, 'secA', 'lmdb'), join(dir, 'top', 'lmdb'), procs);
        ledger.checkSerials();
        return { ...figure(ledger, rounds, acknowledged, lastSeq), synced };
      }
      await loadThenKill(load, killAt(round), () => sec.stop('SIGKILL'));
      acknowledged += load.acks;
      ({ lastSeq } = await withLmdb(join(dir, 'secA', 'lmdb'), (s) => ledger.checkStore(s, round)));
    }
    throw new Error('unreachable');
  } finally {
    await Promise.all(procs.map((p) => p.stop('SIGTERM')));
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Waits until the top-level node has applied the secondary's whole change log (its cursor equals
 * the secondary's last seq, as the top-level's /api/admin/nodes says), stops both, and compares the
 * records of the prefix in both stores.
 */
async function awaitSync(
  top: NodeProcess,
  sec: NodeProcess,
  secPath: string,
  topPath: string,
  procs: NodeProcess[],
): Promise<{ records: number; differ: number }> {
  const topAuth = basicAuth('300:88/ADMIN', SECRET);
  let previous = -1;
  await waitUntil('the top-level node to apply the whole sync stream', 60_000, async () => {
    const res = await fetch(`${top.url}/api/admin/nodes`, { headers: { authorization: topAuth } });
    const body = (await res.json()) as { nodes: { nodeId: string; sync: { nodeSeq: number; appliedSeq: number } }[] };
    const s = body.nodes.find((n) => n.nodeId.toLowerCase() === 'seca')?.sync;
    // Two equal readings a heartbeat apart: the secondary has nothing more to send.
    const done = s !== undefined && s.nodeSeq > 0 && s.appliedSeq >= s.nodeSeq && s.nodeSeq === previous;
    previous = s?.nodeSeq ?? -1;
    if (!done) await sleep(1000);
    return done;
  });
  await sec.stop('SIGTERM');
  await top.stop('SIGTERM');
  procs.length = 0;
  const keys = await withLmdb(secPath, keysOf);
  const mine = await withLmdb(secPath, (s) => contents(s, keys));
  const theirs = await withLmdb(topPath, (s) => contents(s, keys));
  let differ = 0;
  for (const [key, value] of mine) if (!isDeepStrictEqual(value, theirs.get(key))) differ++;
  return { records: mine.size, differ };
}

/** SIGKILL of redis-server (appendonly yes, appendfsync always) under a running node, `rounds` times. */
export async function redisCrashRounds(rounds: number): Promise<RoundsFigure> {
  const redis = await startRedisServer();
  const dir = await mkdtemp(join(tmpdir(), 'idnode-crash-redis-'));
  let node: NodeProcess | undefined;
  try {
    node = await spawnNode(
      {
        IDNODE_DATA_DIR: dir,
        IDNODE_ADMIN_SECRET: SECRET,
        IDNODE_LOG_LEVEL: 'error',
        IDNODE_REDIS_URL: redis.url,
        IDNODE_REDIS_TIMEOUT_MS: '1000',
      },
      60_000,
    );
    const ledger = new CrashLedger();
    const unanswered = { batches: new Set<number>(), serials: new Set<string>() };
    let acknowledged = 0;
    let lastSeq = 0;
    for (let round = 0; round <= rounds; round++) {
      const load = new MixedLoad({ url: node.url, auth: AUTH }, ledger, round, unanswered);
      await waitUntil('the node to write to Redis again', 30_000, () => load.serial(`crash-probe-${round}`));
      await resume(load);
      if (round === rounds) {
        acknowledged += load.acks;
        break;
      }
      await loadThenKill(load, killAt(round), () => redis.kill('SIGKILL'));
      acknowledged += load.acks;
      await redis.restart();
      const store = await openRedisStore({ url: redis.url, keyPrefix: 'idn', commandTimeoutMs: 5000 });
      try {
        ({ lastSeq } = await ledger.checkStore(store, round));
      } finally {
        await store.close();
      }
    }
    ledger.checkSerials();
    return figure(ledger, rounds, acknowledged, lastSeq);
  } finally {
    await node?.stop('SIGTERM');
    await redis.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}
