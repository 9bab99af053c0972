import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';

/**
 * The README's walk-through, run as written against a real node: every shell block of the
 * section except the `npm ci && npm start` line, with the node's port substituted for 8080.
 */

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');

async function walkthroughBlocks(): Promise<string[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Five-minute walk-through')) ?? '';
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => (m[1] ?? '').replace(/^\s*npm ci && npm start\s*$/m, '').trim())
    .filter((b) => b.length > 0);
}

describe('README walk-through', () => {
  let node: NodeProcess | undefined;
  let dir = '';
  afterAll(async () => {
    await node?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers, resolves and redirects exactly as the README shows', async () => {
    dir = await mkdtemp(join(tmpdir(), 'idnode-readme-'));
    node = await spawnNode({ IDNODE_DATA_DIR: join(dir, 'data') });
    const blocks = await walkthroughBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const script = ['set -e', ...blocks].join('\n').replaceAll('127.0.0.1:8080', `127.0.0.1:${node.port}`);
    const { stdout } = await run('bash', ['-c', script], { cwd: dir, timeout: 30_000 });
    expect(stdout).toContain('"responseCode":1,"handle":"88.100.5/BAT-2025-000001","version":1');
    expect(stdout).toMatch(
      /HTTP\/1\.1 302[\s\S]*location: https:\/\/passport\.example\.com\/battery\/BAT-2025-000001/i,
    );
    expect(stdout).toContain('<!doctype html>');
    expect(stdout).not.toContain('service@example.com');
  });
});
