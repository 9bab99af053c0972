import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { NODE_BIN, spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';

/** Runs the real `idnode` command (node/bin/idnode.js on the pinned Node 24) as a child process. */

const ROOT = join(import.meta.dirname, '..', '..', '..');
export const CLI = join(ROOT, 'node', 'bin', 'idnode.js');
export const ADMIN_SECRET = 'cli-test-secret-0123456789';
export const ADMIN_USER = '300:88.100.5/ADMIN';

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function adminEnv(url: string): Record<string, string> {
  return { IDNODE_URL: url, IDNODE_USER: ADMIN_USER, IDNODE_SECRET: ADMIN_SECRET };
}

export interface CliOptions {
  readonly env?: Record<string, string>;
  /** Called with each stdout line as it arrives; return true to SIGKILL the CLI. */
  readonly killWhen?: (line: string) => boolean;
}

export async function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  // Tests say exactly which credentials they use.
  if (opts.env?.IDNODE_USER === undefined) delete env.IDNODE_USER;
  if (opts.env?.IDNODE_SECRET === undefined) delete env.IDNODE_SECRET;
  const child = spawn(NODE_BIN, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    if (opts.killWhen === undefined) return;
    partial += c.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    if (lines.some(opts.killWhen)) child.kill('SIGKILL');
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** The JSON documents a `--json` run printed, one per line. */
export const jsonLines = (r: CliRun): Record<string, unknown>[] =>
  r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** An NDJSON import file of `n` records `IMP-0000001`..., written streamed (no big string in memory). */
export async function writeNdjson(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 1; i <= n; i++) {
    const line = `{"suffix":"IMP-${String(i).padStart(7, '0')}","values":[{"index":1,"type":"URL","data":{"format":"string","value":"https://passport.example/${i}"}}]}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** How many identifiers under `prefix` start with `IMP-` (paging through GET /api/handles?prefix=). */
export async function countImported(url: string, prefix: string): Promise<{ count: number; distinct: number }> {
  const auth = `Basic ${Buffer.from(`${ADMIN_USER.replace(':', '%3A')}:${ADMIN_SECRET}`).toString('base64')}`;
  const seen = new Set<string>();
  let count = 0;
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ prefix, pageSize: '1000', ...(cursor === undefined ? {} : { cursor }) });
    const res = await fetch(`${url}/api/handles?${q.toString()}`, { headers: { authorization: auth } });
    const page = (await res.json()) as { handles: string[]; next?: string };
    for (const h of page.handles) {
      if (!h.includes('/IMP-')) continue;
      count++;
      seen.add(h.toLowerCase());
    }
    cursor = page.next;
  } while (cursor !== undefined);
  return { count, distinct: seen.size };
}

/** A `--json` progress line at or past `line`: the moment to kill the CLI half-way. */
export const progressPast =
  (line: number) =>
  (text: string): boolean => {
    if (!text.startsWith('{"event":"progress"')) return false;
    return ((JSON.parse(text) as { line: number }).line ?? 0) >= line;
  };

/** A real node process for one test file: its temp dir, the node, and the CLI's admin env. */
export interface CliNode {
  dir: string;
  node: NodeProcess;
  env: Record<string, string>;
}

/** Starts the node before the file's tests and removes it after (vitest hooks). */
export function useCliNode(tmpPrefix: string): CliNode {
  const state = {} as CliNode;
  beforeAll(async () => {
    state.dir = await mkdtemp(join(tmpdir(), tmpPrefix));
    state.node = await spawnNode({
      IDNODE_DATA_DIR: join(state.dir, 'data'),
      IDNODE_ADMIN_SECRET: ADMIN_SECRET,
      IDNODE_LOG_LEVEL: 'warn',
    });
    state.env = adminEnv(state.node.url);
  });
  afterAll(async () => {
    await state.node?.stop();
    await rm(state.dir, { recursive: true, force: true });
  });
  return state;
}
