import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, NODE_BIN, ROOT } from '../lib/processes.ts';
import { openLmdbStore } from '../../node/src/store/lmdb-store.ts';
import { processCpuUs } from '../lib/native/proc-cpu.ts';
import { statusMiB } from '../workers/proc-stat.ts';
import { memHandle } from './fixture.ts';
import { benchNodeEnv } from '../workers/node-env.ts';

/**
 * Startup and memory on a large store: time from spawn to a 200 on /readyz, and the CPU the process
 * used until then (wall time on a loaded machine is mostly waiting for a core), beside a node on an
 * empty store (so what the store adds shows), then RssAnon (anonymous memory: heap, cache,
 * buffers; not the mapped LMDB file) sampled while `scan` distinct registered identifiers are
 * resolved with the default cache settings.
 */

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly readyMs: number;
  /** CPU (all threads) the process used until ready: what the start costs, whatever the machine's load. */
  readonly readyCpuMs: number;
  output(): string;
  stop(): Promise<void>;
}

async function readyz(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function start(dataDir: string): Promise<Running> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawn(NODE_BIN, [join(ROOT, 'node', 'src', 'start.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...benchNodeEnv(dataDir, port, randomBytes(18).toString('base64url')) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (c: Buffer): void => void (out = (out + c.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  while (!(await readyz(url))) {
    if (child.exitCode !== null) throw new Error(`node exited: ${out}`);
    if (performance.now() - t0 > 120_000) {
      child.kill('SIGKILL');
      throw new Error(`not ready in 120 s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const readyMs = performance.now() - t0;
  const readyCpuMs = processCpuUs(child.pid ?? -1) / 1000;
  return {
    child,
    url,
    readyMs,
    readyCpuMs,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A data directory whose lmdb/ is the fixture (shared, never copied). */
async function dataDirOn(fixtureDir: string | undefined): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'idnode-mem-'));
  if (fixtureDir !== undefined) await symlink(join(fixtureDir, 'lmdb'), join(dir, 'lmdb'));
  return dir;
}

export interface ScanReport {
  readonly identifiers_in_store: number;
  readonly store_open_ms: number;
  readonly ready_ms: number;
  readonly ready_ms_empty_store: number;
  readonly ready_cpu_ms: number;
  readonly ready_cpu_ms_empty_store: number;
  readonly scan_distinct: number;
  readonly scan_seconds: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly rss_anon_ready_mib: number;
  readonly rss_anon_peak_mib: number;
  readonly rss_anon_after_mib: number;
  readonly vm_rss_after_mib: number;
  readonly cache_entries: number;
  readonly cache_bytes: number;
}

const r1 = (n: number): number => Math.round(n * 10) / 10;

/** Times to ready per start, wall and CPU (ms), on the empty and on the large store. */
interface Ready {
  readonly empty: number[];
  readonly full: number[];
  readonly emptyCpu: number[];
  readonly fullCpu: number[];
}

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function storeOpenMs(fixtureDir: string): Promise<number> {
  const t = performance.now();
  const store = await openLmdbStore({ path: join(fixtureDir, 'lmdb') });
  await store.lastSeq();
  const ms = performance.now() - t;
  await store.close();
  return ms;
}

export async function runScan(o: {
  readonly fixtureDir: string;
  readonly identifiers: number;
  readonly scan: number;
  readonly connections: number;
  readonly log: (line: string) => void;
}): Promise<ScanReport> {
  const openMs = await storeOpenMs(o.fixtureDir);
  const emptyDir = await dataDirOn(undefined);
  const dataDir = await dataDirOn(o.fixtureDir);
  try {
    // Alternated: empty store, large store, twice; the second of each is reported (files in the page cache).
    const ready: Ready = { empty: [], full: [], emptyCpu: [], fullCpu: [] };
    for (let i = 0; i < 2; i++) {
      const e = await start(emptyDir);
      ready.empty.push(e.readyMs);
      ready.emptyCpu.push(e.readyCpuMs);
      await e.stop();
      const f = await start(dataDir);
      ready.full.push(f.readyMs);
      ready.fullCpu.push(f.readyCpuMs);
      if (i === 0) await f.stop();
      else return await scan(f, o, openMs, ready);
    }
    throw new Error('unreachable');
  } finally {
    await rm(emptyDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function scan(
  node: Running,
  o: Parameters<typeof runScan>[0],
  openMs: number,
  ready: Ready,
): Promise<ScanReport> {
  const pid = node.child.pid ?? -1;
  try {
    const readyAnon = await statusMiB(pid, 'RssAnon');
    let peak = readyAnon;
    const sampler = setInterval(
      () =>
        void statusMiB(pid, 'RssAnon').then(
          (m) => (peak = Math.max(peak, m)),
          () => undefined,
        ),
      250,
    );
    const stride = Math.max(1, Math.floor(o.identifiers / o.scan));
    let next = 0;
    const statuses: Record<string, number> = {};
    const started = performance.now();
    let lastLog = started;
    const progress = (): void => {
      const now = performance.now();
      if (now - lastLog < 15_000) return;
      lastLog = now;
      o.log(`  ${next} sent, ${Math.round((now - started) / 1000)} s, RssAnon peak ${r1(peak)} MiB`);
    };
    const path = (): string => `/api/handles/${memHandle((next++ * stride) % o.identifiers)}`;
    await new Promise<void>((resolve, reject) => {
      const opts = { url: node.url, connections: o.connections, amount: o.scan, timeout: 20 };
      const requests = [
        { setupRequest: (req: autocannon.Request) => ({ ...req, method: 'GET' as const, path: path() }) },
      ];
      autocannon({ ...opts, requests }, (err) => (err ? reject(err as Error) : resolve())).on(
        'response',
        (_c, status) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
          progress();
        },
      );
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    await new Promise((r) => setTimeout(r, 2000));
    const text = await (await fetch(`${node.url}/metrics`)).text();
    return {
      identifiers_in_store: o.identifiers,
      store_open_ms: r1(openMs),
      ready_ms: r1(ready.full.at(-1)!),
      ready_ms_empty_store: r1(ready.empty.at(-1)!),
      ready_cpu_ms: r1(ready.fullCpu.at(-1)!),
      ready_cpu_ms_empty_store: r1(ready.emptyCpu.at(-1)!),
      scan_distinct: next,
      scan_seconds: r1(seconds),
      statuses,
      rss_anon_ready_mib: r1(readyAnon),
      rss_anon_peak_mib: r1(Math.max(peak, await statusMiB(pid, 'RssAnon'))),
      rss_anon_after_mib: r1(await statusMiB(pid, 'RssAnon')),
      vm_rss_after_mib: r1(await statusMiB(pid, 'VmRSS')),
      cache_entries: metric(text, 'idnode_cache_entries'),
      cache_bytes: metric(text, 'idnode_cache_size_bytes'),
    };
  } finally {
    await node.stop();
  }
}
