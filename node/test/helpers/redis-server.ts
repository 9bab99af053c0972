import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/*
 * Real redis-server processes for tests: each on a free port in its own temp dir, AOF with
 * fsync on every write, no RDB. Only processes started here are ever signalled, by PID, and every
 * wait is bounded. The shared Redis on 6379 is never touched.
 */

const HOST = '127.0.0.1';

/** Servers started by this process; killed on exit so a crashed test run leaves no orphans. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running)
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
});

export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  readonly url: string;
  readonly pid: number | undefined;
  /** Sends `signal` to the process and waits (bounded) until it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Sends `signal` without waiting (SIGSTOP/SIGCONT: a server that hangs instead of dying). */
  signal(signal: NodeJS.Signals): void;
  /** Starts it again on the same port and dir (so the AOF is reloaded) and waits for PING. */
  restart(): Promise<void>;
  /** Kills it if running and removes its dir. */
  cleanup(): Promise<void>;
}

/** A port that is free now, with port + 10000 (the Cluster bus port) free too. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await listenOnce(0);
    if (port + 10000 < 65536 && (await isFree(port + 10000))) return port;
  }
  throw new Error('no free port pair found');
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, HOST, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(got));
    });
  });
}

const isFree = (port: number): Promise<boolean> =>
  listenOnce(port).then(
    () => true,
    () => false,
  );

/** Runs redis-cli against a port; bounded by a 3 s timeout. */
export function redisCli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-h', HOST, '-p', String(port), ...args], { timeout: 3000 }, (err, stdout) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')} on :${port} failed: ${err.message}`));
      else resolve(stdout.trim());
    });
  });
}

/** Polls `check` every 50 ms until it returns true, failing after `ms`. */
export async function waitUntil(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

const answersPing = (port: number): Promise<boolean> => redisCli(port, 'PING').then((r) => r === 'PONG');

function waitForExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server ${child.pid} did not exit in ${ms} ms`)), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface ServerOptions {
  readonly extraArgs?: readonly string[];
}

export async function startRedisServer(opts: ServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'idnode-redis-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--daemonize',
    'no',
    '--maxmemory-policy',
    'noeviction',
    ...(opts.extraArgs ?? []),
  ];
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const log = openSync(join(dir, 'redis.log'), 'a');
    child = spawn('redis-server', args, { stdio: ['ignore', log, log] });
    closeSync(log);
    const started = child;
    running.add(started);
    started.once('exit', () => running.delete(started));
    await waitUntil(`redis-server on ${port}`, 10_000, async () => {
      if (started.exitCode !== null) throw new Error(`redis-server exited, see ${dir}/redis.log`);
      return answersPing(port);
    });
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return;
    process.kill(c.pid, signal);
    await waitForExit(c, 10_000);
  };

  await start();
  return {
    port,
    dir,
    url: `redis://${HOST}:${port}`,
    get pid() {
      return child?.pid;
    },
    kill,
    signal: (signal) => {
      if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, signal);
    },
    restart: start,
    cleanup: async () => {
      await kill('SIGKILL').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisClusterHandle {
  readonly servers: readonly RedisServer[];
  readonly nodes: readonly { host: string; port: number }[];
  /** The server currently serving `slot` as master. */
  masterOf(slot: number): Promise<RedisServer>;
  /** Kills that master (SIGKILL) and waits until one of its replicas is master and the cluster is ok. */
  killMasterAndAwaitFailover(master: RedisServer, opts?: FailoverOptions): Promise<RedisServer>;
  /** Restarts a killed node on its dir (nodes.conf kept) and waits until it is an in-sync replica. */
  rejoin(server: RedisServer, ms?: number): Promise<void>;
  cleanup(): Promise<void>;
}

export interface FailoverOptions {
  /** Bound of the wait for promotion. Default 15 s. */
  readonly ms?: number;
  /** Called right after the master has exited, before the wait for promotion. */
  readonly onKilled?: () => void;
}

interface NodeLine {
  readonly id: string;
  readonly port: number;
  readonly master: boolean;
  readonly masterId: string;
  readonly failed: boolean;
  readonly slots: readonly string[];
}

/** Parses CLUSTER NODES: `<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot>...` */
function parseNodes(text: string): NodeLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [id = '', addr = '', flags = '', masterId = '', , , , , ...slots] = line.trim().split(' ');
      return {
        id,
        port: Number(addr.split('@')[0]?.split(':')[1]),
        master: flags.includes('master'),
        masterId,
        failed: flags.includes('fail'),
        slots,
      };
    });
}

const servesSlot = (n: NodeLine, slot: number): boolean =>
  n.slots.some((s) => {
    const [lo, hi] = s.split('-').map(Number);
    return lo !== undefined && slot >= lo && slot <= (hi ?? lo);
  });

async function clusterOk(port: number): Promise<boolean> {
  return (await redisCli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok');
}

/** Every master has an online replica, as WAIT 1 needs. */
async function replicasOnline(servers: readonly RedisServer[]): Promise<boolean> {
  for (const s of servers) {
    const info = await redisCli(s.port, 'INFO', 'replication');
    if (info.includes('role:master') && !/connected_slaves:[1-9]/.test(info)) return false;
    if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
  }
  return true;
}

export async function startRedisCluster(
  opts: { masters?: number; replicasPerMaster?: number } = {},
): Promise<RedisClusterHandle> {
  const masters = opts.masters ?? 3;
  const replicas = opts.replicasPerMaster ?? 1;
  const extraArgs = [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    '1000',
  ];
  const servers: RedisServer[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.cleanup()));
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) servers.push(await startRedisServer({ extraArgs }));
    await createCluster(servers, replicas);
  } catch (e) {
    await cleanup();
    throw e;
  }
  const nodesOf = async (port: number): Promise<NodeLine[]> => parseNodes(await redisCli(port, 'CLUSTER', 'NODES'));
  const alive = (): RedisServer[] => servers.filter((s) => s.pid !== undefined && !killed.has(s));
  const killed = new Set<RedisServer>();

  const masterOf = async (slot: number): Promise<RedisServer> => {
    const lines = await nodesOf(alive()[0]?.port ?? 0);
    const line = lines.find((n) => n.master && !n.failed && servesSlot(n, slot));
    const server = servers.find((s) => s.port === line?.port);
    if (!server) throw new Error(`no master serves slot ${slot}`);
    return server;
  };

  const killMasterAndAwaitFailover = async (master: RedisServer, opts: FailoverOptions = {}): Promise<RedisServer> => {
    const lines = await nodesOf(master.port);
    const id = lines.find((n) => n.port === master.port)?.id;
    const replicaPorts = lines.filter((n) => n.masterId === id).map((n) => n.port);
    killed.add(master);
    await master.kill('SIGKILL');
    opts.onKilled?.();
    let promoted: RedisServer | undefined;
    await waitUntil('replica promotion', opts.ms ?? 15_000, async () => {
      for (const port of replicaPorts) {
        const role = await redisCli(port, 'ROLE');
        if (role.startsWith('master')) promoted = servers.find((s) => s.port === port);
      }
      return promoted !== undefined && (await clusterOk(promoted.port));
    });
    if (!promoted) throw new Error('no replica was promoted');
    return promoted;
  };

  const rejoin = async (server: RedisServer, ms = 15_000): Promise<void> => {
    await server.restart();
    killed.delete(server);
    await waitUntil(`:${server.port} to rejoin as a replica`, ms, async () => {
      const info = await redisCli(server.port, 'INFO', 'replication');
      return info.includes('role:slave') && info.includes('master_link_status:up') && (await clusterOk(server.port));
    });
  };

  return {
    servers,
    nodes: servers.map((s) => ({ host: HOST, port: s.port })),
    masterOf,
    killMasterAndAwaitFailover,
    rejoin,
    cleanup,
  };
}

async function createCluster(servers: readonly RedisServer[], replicas: number): Promise<void> {
  const addrs = servers.map((s) => `${HOST}:${s.port}`);
  await new Promise<void>((resolve, reject) => {
    execFile(
      'redis-cli',
      ['--cluster', 'create', ...addrs, '--cluster-replicas', String(replicas), '--cluster-yes'],
      { timeout: 30_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`cluster create failed: ${stderr || stdout}`)) : resolve()),
    );
  });
  await waitUntil('cluster_state:ok on every node', 20_000, async () => {
    for (const s of servers) if (!(await clusterOk(s.port))) return false;
    return replicasOnline(servers);
  });
}
