import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';

/* The startup log names the store in use (issue 14): one line with the backend and its path. */

let dir: string;
let node: NodeProcess | undefined;

afterAll(async () => {
  await node?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('startup log', () => {
  it('says which store the node serves: backend and path, in one line', async () => {
    dir = await mkdtemp(join(tmpdir(), 'idnode-startup-log-'));
    node = await spawnNode({
      IDNODE_DATA_DIR: join(dir, 'data'),
      IDNODE_ADMIN_SECRET: 'startup-log-secret-0123456789',
    });
    const lines = node
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.log === 'store');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ backend: 'lmdb', path: join(dir, 'data', 'lmdb') });
    expect(String(lines[0]!.msg)).toContain('LMDB');
    // And as a metric, for dashboards: one series naming the backend.
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/^idnode_store_info\{backend="lmdb"\} 1$/m);
    expect(metrics).toMatch(/^idnode_store_connected 1$/m);
  });
});
