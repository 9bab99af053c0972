import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { basicAuth } from '../helpers/test-node.ts';
import { spawnNode } from '../helpers/spawn-node.ts';
import { rawPut } from '../helpers/raw-put.ts';

/**
 * The node is killed with SIGKILL while clients write over HTTP; after a restart every write
 * the node acknowledged (2xx) must be there with at least the acknowledged version.
 */

const SECRET = 'crash-test-secret-0123';
const TARGET_ACKS = 10_000;
const CONCURRENCY = 32;

describe('durability under SIGKILL', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('loses no acknowledged write out of at least 10,000', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'idnode-crash-'));
    dirs.push(dataDir);
    const env = { IDNODE_DATA_DIR: dataDir, IDNODE_ADMIN_SECRET: SECRET, IDNODE_LOG_LEVEL: 'warn' };
    const node = await spawnNode(env);
    const auth = basicAuth('300:88.100.5/ADMIN', SECRET);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const acked = new Map<string, number>();
    let next = 0;
    let killed = false;
    const worker = async (): Promise<void> => {
      while (!killed) {
        // Some keys are rewritten so versions climb, most are new.
        const n = next++;
        const suffix = n % 10 === 0 ? `HOT-${n % 50}` : `SN-${n}`;
        const r = await rawPut(agent, node.port, suffix, auth);
        if (r.status >= 200 && r.status < 300 && r.version !== undefined) {
          acked.set(suffix.toLowerCase(), Math.max(r.version, acked.get(suffix.toLowerCase()) ?? 0));
          if (acked.size >= TARGET_ACKS && !killed) {
            killed = true;
            await node.stop('SIGKILL');
          }
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();

    const restarted = await spawnNode(env);
    try {
      let lost = 0;
      for (const [suffix, version] of acked) {
        const res = await fetch(`${restarted.url}/api/handles/88.100.5/${suffix}`);
        const etag = res.headers.get('etag') ?? '';
        if (res.status !== 200 || Number(/"(\d+)/.exec(etag)?.[1] ?? 0) < version) lost++;
      }
      console.log(`crash-durability: acknowledged=${acked.size} identifiers (${next} requests sent), lost=${lost}`);
      expect(acked.size).toBeGreaterThanOrEqual(TARGET_ACKS);
      expect(lost).toBe(0);
    } finally {
      await restarted.stop();
    }
  }, 180_000);
});
