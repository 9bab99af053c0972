import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Server processes under test: spawned here, stopped here by their own handle (never by name). */

export const ROOT = join(import.meta.dirname, '..', '..');
/** Node 24 from node_modules: the system node may be older and cannot strip types. */
export const NODE_BIN = join(ROOT, 'node_modules', '.bin', 'node');

export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

// If the harness dies (exception, Ctrl-C), its children must not outlive it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

export interface SpawnOptions {
  readonly name: string;
  readonly script: string;
  readonly port: number;
  readonly env: Record<string, string>;
  /** Path polled until it answers 2xx. */
  readonly readyPath: string;
  readonly timeoutMs?: number;
  /** Flags for node itself (e.g. --cpu-prof), before the script. */
  readonly nodeArgs?: readonly string[];
}

function exitWaiter(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function waitReady(child: ChildProcess, url: string, timeoutMs: number, out: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(url))) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}:\n${out()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${url}: not ready in ${timeoutMs} ms:\n${out()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops gracefully, then hard after a few seconds so a run always ends. */
async function stopChild(child: ChildProcess): Promise<void> {
  const exited = exitWaiter(child);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  running.delete(child);
}

export async function spawnServer(opts: SpawnOptions): Promise<ServerProcess> {
  const child = spawn(NODE_BIN, [...(opts.nodeArgs ?? []), opts.script], {
    cwd: ROOT,
    // Federated roles take the Handle port 2641 by default: several servers of a bench would collide.
    env: { ...process.env, IDNODE_HANDLE_PORT: 'off', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  // Bounded: a chatty server must not grow the harness's memory during a long run.
  const keep = (c: Buffer): void => void (out = (out + c.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${opts.port}`;
  await waitReady(child, url + opts.readyPath, opts.timeoutMs ?? 20_000, () => out);
  return { name: opts.name, url, pid: child.pid ?? -1, output: () => out, stop: () => stopChild(child) };
}

export async function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'idnode-bench-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
