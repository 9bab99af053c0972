import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/spawn-node.ts';

/**
 * The README's federation block, run as pasted (issue 14: after `sleep 5` every curl failed to
 * connect). The block is read from README.md itself (the sh block after "Three nodes (plus a caching
 * node)"), so the README stays what runs; the test changes only
 * what a shared machine needs changed: the eight ports (to free ones) and `.fed` (to a temp dir).
 * Every other character runs in bash exactly as a reader would paste it.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const README = join(ROOT, 'README.md');
const ANCHOR = 'Three nodes (plus a caching node) on one machine';
const DOC_PORTS = [8100, 8101, 8102, 8103, 9100, 9101, 9102, 9103];

export async function federationBlock(): Promise<string> {
  const md = await readFile(README, 'utf8');
  const at = md.indexOf(ANCHOR);
  const m = at < 0 ? null : /```sh\n([\s\S]*?)```/.exec(md.slice(at));
  if (!m?.[1]) throw new Error(`README.md has no sh block after "${ANCHOR}"`);
  return m[1];
}

let dir: string | undefined;
let group: number | undefined;

async function answers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/livez`);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  // Stop what the block started: the bash it ran in leads their process group.
  if (group !== undefined) {
    try {
      process.kill(-group, 'SIGTERM');
    } catch {
      /* already gone */
    }
    // Up to 3 s for the group to stop on SIGTERM (signal 0 fails once no member is left).
    for (let i = 0; i < 60 && groupAlive(group); i++) await new Promise((r) => setTimeout(r, 50));
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      /* stopped on SIGTERM */
    }
  }
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('README: Roles and federation', () => {
  it('the paste block registers on A and resolves through B, the top-level and the caching node', async () => {
    dir = await mkdtemp(join(tmpdir(), 'idnode-readme-fed-'));
    const ports = await Promise.all(DOC_PORTS.map(() => freePort()));
    let script = (await federationBlock()).replaceAll('.fed/', `${dir}/`);
    for (const [i, p] of DOC_PORTS.entries()) script = script.replaceAll(String(p), String(ports[i]));
    const bash = spawn('bash', ['-c', script], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    group = bash.pid;
    let out = '';
    bash.stdout.on('data', (c: Buffer) => (out += c.toString()));
    bash.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const [code] = (await once(bash, 'exit')) as [number | null];
    expect(code, out).toBe(0);
    expect(out).not.toContain('Failed to connect');
    expect(out).not.toContain('is not ready');
    expect(out).toContain('{"responseCode":1,"handle":"88.100.5/BAT-1","version":1}');
    const answersOk = out.match(/^HTTP\/1\.1 200 OK/gm) ?? [];
    expect(answersOk, out).toHaveLength(3);
    expect(out.match(/"handle":"88.100.5\/BAT-1","values":\[/g), out).toHaveLength(3);
    expect(await answers(ports[0]!)).toBe(true);
  }, 180_000);
});
