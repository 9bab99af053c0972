import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnNode } from '../helpers/spawn-node.ts';

describe('graceful shutdown', () => {
  it('fails readiness first, keeps answering while it drains, then exits cleanly', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'idnode-shutdown-'));
    const node = await spawnNode({
      IDNODE_DATA_DIR: dataDir,
      IDNODE_ADMIN_SECRET: 'shutdown-secret-1234',
      IDNODE_DRAIN_DELAY_MS: '1500',
    });
    try {
      expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
      const exited = node.stop('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      const ready = await fetch(`${node.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ failing: ['shutting-down'] });
      expect((await fetch(`${node.url}/livez`)).status).toBe(200);
      expect((await fetch(`${node.url}/api/handles/88.100.5/ADMIN`)).status).toBe(200);
      expect(await exited).toBe(0);
    } finally {
      await node.stop('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
