import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCerts } from '../../src/federation/certs-command.ts';
import { basicAuth } from '../helpers/test-node.ts';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';

/** A real federation for tests: top-level (88), secondary A (88.100 + 88.100.5), secondary B (88.200). */

export const SECRET = 'federation-secret-0123';
export const adminAuth = (prefix: string): string => basicAuth(`300:${prefix}/ADMIN`, SECRET);

export interface Topology {
  readonly dir: string;
  readonly certs: string;
  readonly top: NodeProcess;
  readonly a: NodeProcess;
  readonly b: NodeProcess;
  start(name: string, env: Record<string, string>): Promise<NodeProcess>;
  close(): Promise<void>;
}

export async function waitReady(node: NodeProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${node.url}/readyz`);
    if (res.ok) return;
    if (Date.now() > deadline) throw new Error(`not ready: ${await res.text()}\n${node.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `aEnv`: more environment for secondary A (e.g. a Handle port). */
export async function startTopology(
  extraNodes: readonly string[] = [],
  aEnv: Record<string, string> = {},
): Promise<Topology> {
  const dir = await mkdtemp(join(tmpdir(), 'idnode-fed-'));
  const certs = join(dir, 'certs');
  await generateCerts({ out: certs, nodes: ['top', 'secA', 'secB', ...extraNodes] });
  const procs: NodeProcess[] = [];
  const start = async (name: string, env: Record<string, string>): Promise<NodeProcess> => {
    const p = await spawnNode(
      {
        IDNODE_DATA_DIR: join(dir, name),
        IDNODE_ADMIN_SECRET: SECRET,
        IDNODE_LOG_LEVEL: 'warn',
        IDNODE_DRAIN_DELAY_MS: '0',
        IDNODE_HEARTBEAT_S: '1',
        ...env,
      },
      20_000,
      { grpc: true },
    );
    procs.push(p);
    return p;
  };
  const tls = (id: string) => join(certs, id);
  const top = await start('top', {
    IDNODE_ROLE: 'top-level',
    IDNODE_PREFIXES: '88',
    IDNODE_TLS_DIR: tls('top'),
    IDNODE_DELEGATIONS: '88.100=secA,88.200=secB',
  });
  const upstream = `127.0.0.1:${top.grpcPort}`;
  const [a, b] = await Promise.all([
    start('secA', {
      IDNODE_ROLE: 'secondary',
      IDNODE_PREFIXES: '88.100,88.100.5',
      IDNODE_UPSTREAM: upstream,
      IDNODE_TLS_DIR: tls('secA'),
      ...aEnv,
    }),
    start('secB', {
      IDNODE_ROLE: 'secondary',
      IDNODE_PREFIXES: '88.200',
      IDNODE_UPSTREAM: upstream,
      IDNODE_TLS_DIR: tls('secB'),
    }),
  ]);
  await Promise.all([waitReady(top), waitReady(a), waitReady(b)]);
  return {
    dir,
    certs,
    top,
    a,
    b,
    start,
    async close() {
      await Promise.all(procs.map((p) => p.stop('SIGTERM')));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function putRecord(node: NodeProcess, handle: string, url: string): Promise<number> {
  const res = await fetch(`${node.url}/api/handles/${handle}`, {
    method: 'PUT',
    headers: { authorization: adminAuth(handle.split('/')[0]!), 'content-type': 'application/json' },
    body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: url }] }),
  });
  return res.status;
}

/** A counter's value from /metrics (0 when absent). */
export async function metric(node: NodeProcess, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}
