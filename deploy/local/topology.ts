import { spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCerts } from '../../node/src/federation/certs-command.ts';

/**
 * A local federation on 127.0.0.1: top-level (88), secondary A (88.100 + enterprise 88.100.5),
 * secondary B (88.200) and a caching node, with generated dev certificates (mTLS).
 *   npm run topology -- start [--dir .idnode-topology] [--base-port 8100]
 *   npm run topology -- stop  [--dir .idnode-topology]
 * `start` writes <dir>/state.json (PIDs, ports); `stop` signals exactly those PIDs.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const NODE_BIN = process.execPath;
const MAIN = join(ROOT, 'node', 'src', 'main.ts');
export const DEV_SECRET = 'topology-dev-secret';

interface NodeSpec {
  readonly name: string;
  readonly env: Record<string, string>;
}

interface NodeState {
  readonly name: string;
  readonly pid: number;
  readonly http: string;
  readonly grpc: string;
  readonly log: string;
}

function specs(basePort: number): NodeSpec[] {
  const upstream = `127.0.0.1:${basePort + 1000}`;
  return [
    {
      name: 'top',
      env: { IDNODE_ROLE: 'top-level', IDNODE_PREFIXES: '88', IDNODE_DELEGATIONS: '88.100=secA,88.200=secB' },
    },
    { name: 'secA', env: { IDNODE_ROLE: 'secondary', IDNODE_PREFIXES: '88.100,88.100.5', IDNODE_UPSTREAM: upstream } },
    { name: 'secB', env: { IDNODE_ROLE: 'secondary', IDNODE_PREFIXES: '88.200', IDNODE_UPSTREAM: upstream } },
    { name: 'cache', env: { IDNODE_ROLE: 'caching', IDNODE_UPSTREAM: upstream } },
  ];
}

async function ready(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

function launch(dir: string, spec: NodeSpec, httpPort: number, grpcPort: number): NodeState {
  const log = join(dir, `${spec.name}.log`);
  const out = openSync(log, 'a');
  const child = spawn(NODE_BIN, [MAIN], {
    env: {
      ...process.env,
      ...spec.env,
      IDNODE_HOST: '127.0.0.1',
      IDNODE_HTTP_PORT: String(httpPort),
      IDNODE_GRPC_PORT: String(grpcPort),
      IDNODE_DATA_DIR: join(dir, 'data', spec.name),
      IDNODE_TLS_DIR: join(dir, 'certs', spec.name),
      IDNODE_ADMIN_SECRET: DEV_SECRET,
      IDNODE_HEARTBEAT_S: '2',
      // Four federated nodes on one machine would all take the Handle port 2641: none speaks it here.
      IDNODE_HANDLE_PORT: 'off',
    },
    stdio: ['ignore', out, out],
    detached: true,
  });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${spec.name}`);
  return { name: spec.name, pid: child.pid, http: `http://127.0.0.1:${httpPort}`, grpc: `127.0.0.1:${grpcPort}`, log };
}

export async function startTopology(dir: string, basePort: number): Promise<NodeState[]> {
  const stateFile = join(dir, 'state.json');
  if (existsSync(stateFile)) throw new Error(`${stateFile} exists: run "npm run topology -- stop" first`);
  await mkdir(dir, { recursive: true });
  if (!existsSync(join(dir, 'certs', 'ca.crt'))) {
    await generateCerts({ out: join(dir, 'certs'), nodes: ['top', 'secA', 'secB', 'cache'] });
  }
  const nodes: NodeState[] = [];
  // The state file is rewritten after each start, so a failed start can still be stopped.
  for (const [i, spec] of specs(basePort).entries()) {
    nodes.push(launch(dir, spec, basePort + i, basePort + 1000 + i));
    await writeFile(stateFile, JSON.stringify({ nodes }, null, 2));
  }
  for (const n of nodes) {
    if (!(await ready(n.http, 30_000))) throw new Error(`${n.name} is not ready; see ${n.log}`);
  }
  return nodes;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stopTopology(dir: string): Promise<number> {
  const stateFile = join(dir, 'state.json');
  if (!existsSync(stateFile)) return 0;
  const { nodes } = JSON.parse(await readFile(stateFile, 'utf8')) as { nodes: NodeState[] };
  for (const n of nodes) if (alive(n.pid)) process.kill(n.pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (nodes.some((n) => alive(n.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const n of nodes) if (alive(n.pid)) process.kill(n.pid, 'SIGKILL');
  await rm(stateFile);
  return nodes.length;
}

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { dir: { type: 'string' }, 'base-port': { type: 'string' } },
    allowPositionals: true,
  });
  const dir = resolve(values.dir ?? '.idnode-topology');
  const command = positionals[0];
  if (command === 'start') {
    const nodes = await startTopology(dir, Number(values['base-port'] ?? 8100));
    for (const n of nodes) process.stdout.write(`${n.name.padEnd(6)} pid ${n.pid}  http ${n.http}  grpc ${n.grpc}\n`);
    process.stdout.write(`admin secret (every prefix): ${DEV_SECRET}; state: ${join(dir, 'state.json')}\n`);
  } else if (command === 'stop') {
    process.stdout.write(`stopped ${await stopTopology(dir)} node(s)\n`);
  } else {
    throw new Error('usage: topology start|stop [--dir <dir>] [--base-port <n>]');
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`topology: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
