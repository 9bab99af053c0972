import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { freePort, NODE_BIN, ROOT } from '../../../loadtest/lib/processes.ts';

// One place for these: the load-test harness spawns servers the same way.
export { freePort, NODE_BIN };

/** A real idnode process (node/src/main.ts on Node 24), for crash, restart and federation tests. */
export interface NodeProcess {
  readonly url: string;
  readonly port: number;
  /** Set when spawned with `{ grpc: true }` (or with IDNODE_GRPC_PORT in env). */
  readonly grpcPort: number | undefined;
  readonly child: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** Sends a signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const MAIN = join(ROOT, 'node', 'src', 'main.ts');

async function answers(port: number, ca: Buffer | undefined): Promise<boolean> {
  if (ca !== undefined) {
    return new Promise((resolve) => {
      httpsGet(`https://127.0.0.1:${port}/livez`, { ca }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      }).on('error', () => resolve(false));
    });
  }
  try {
    return (await fetch(`http://127.0.0.1:${port}/livez`)).ok;
  } catch {
    return false;
  }
}

export interface SpawnOptions {
  /** Give the node a free gRPC port (IDNODE_GRPC_PORT) unless env sets one. */
  readonly grpc?: boolean;
  /** The node serves HTTPS (IDNODE_TLS_CERT in env): readiness is checked over TLS trusting this CA. */
  readonly httpsCa?: Buffer;
}

export async function spawnNode(
  env: Record<string, string>,
  timeoutMs = 20_000,
  opts: SpawnOptions = {},
): Promise<NodeProcess> {
  const port = env.IDNODE_HTTP_PORT ? Number(env.IDNODE_HTTP_PORT) : await freePort();
  const grpcPort = env.IDNODE_GRPC_PORT ? Number(env.IDNODE_GRPC_PORT) : opts.grpc ? await freePort() : undefined;
  const grpcEnv = grpcPort === undefined ? {} : { IDNODE_GRPC_PORT: String(grpcPort) };
  const child = spawn(NODE_BIN, [MAIN], {
    env: {
      ...process.env,
      IDNODE_HOST: '127.0.0.1',
      IDNODE_LOG_LEVEL: 'info',
      // Federated roles take the Handle port 2641 by default: several nodes of a test would collide.
      IDNODE_HANDLE_PORT: 'off',
      ...env,
      ...grpcEnv,
      IDNODE_HTTP_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  // Ready when /livez answers: independent of the log level the test chose.
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(port, opts.httpsCa))) {
    if (exitCode !== undefined) throw new Error(`idnode exited with ${exitCode} before listening:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`idnode did not start in ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `${opts.httpsCa === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    port,
    grpcPort,
    child,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** How a node that was expected not to start ended. */
export interface ExitedNode {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs node/src/main.ts until it exits (startup-failure tests). The environment is exactly `env`
 * plus PATH, HOME and NODE_COMPILE_CACHE (vitest.config.ts: faster starts): no IDNODE_* variable of
 * the test runner leaks in.
 */
export async function runNodeToExit(
  env: Record<string, string>,
  argv: readonly string[] = [],
  timeoutMs = 20_000,
): Promise<ExitedNode> {
  const cache = process.env.NODE_COMPILE_CACHE;
  const base = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...(cache === undefined ? {} : { NODE_COMPILE_CACHE: cache }),
  };
  const child = spawn(NODE_BIN, [MAIN, ...argv], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (child.signalCode === 'SIGKILL') throw new Error(`idnode did not exit in ${timeoutMs} ms:\n${stdout}${stderr}`);
  return { code, stdout, stderr };
}
