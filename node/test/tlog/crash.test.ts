import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { ChangeEntry } from '../../src/store/store.ts';
import { sized } from '../helpers/scale.ts';
import { spawnNode } from '../helpers/spawn-node.ts';
import { rawPut } from '../helpers/raw-put.ts';
import { basicAuth } from '../helpers/test-node.ts';
import { expectedLeaf } from './verifier/leaf.ts';
import { checkConsistency, consistency, hashLeaf, mth } from './verifier/merkle.ts';
import { readCheckpoint, readVkey, requireSignature, splitNote, type Cp } from './verifier/note.ts';
import { entries, leafHashes } from './verifier/tiles.ts';

/**
 * SIGKILL while clients write: after the restart the log and the change log agree entry for
 * entry, and the next checkpoint extends every checkpoint published before the kill.
 */
const SECRET = 'tlog-crash-secret-0123';
const TARGET_ACKS = sized(1_500, 10_000);
const CONCURRENCY = 16;

async function fetchCheckpoint(url: string): Promise<{ note: string; cp: Cp } | undefined> {
  try {
    const note = await (await fetch(`${url}/log/checkpoint`)).text();
    return { note, cp: readCheckpoint(splitNote(note).text) };
  } catch {
    return undefined;
  }
}

describe('the transparency log under SIGKILL', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('agrees with the change log after a restart, and its next checkpoint extends the last one published', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'idnode-tlog-crash-'));
    dirs.push(dataDir);
    const env = {
      IDNODE_DATA_DIR: dataDir,
      IDNODE_ADMIN_SECRET: SECRET,
      IDNODE_LOG_LEVEL: 'warn',
      IDNODE_TLOG_CHECKPOINT_MS: '100',
    };
    const node = await spawnNode(env);
    const vkey = readVkey((await (await fetch(`${node.url}/log/vkey`)).text()).trim());
    const auth = basicAuth('300:88.100.5/ADMIN', SECRET);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const seen: { note: string; cp: Cp }[] = [];
    let acks = 0;
    let next = 0;
    let killed = false;
    const writer = async (): Promise<void> => {
      while (!killed) {
        const n = next++;
        const { status } = await rawPut(agent, node.port, n % 10 === 0 ? `HOT-${n % 20}` : `C-${n}`, auth);
        if (status >= 200 && status < 300 && ++acks >= TARGET_ACKS && !killed) {
          killed = true;
          await node.stop('SIGKILL');
        }
      }
    };
    const watcher = async (): Promise<void> => {
      while (!killed) {
        const c = await fetchCheckpoint(node.url);
        if (c && !killed && c.cp.size !== seen.at(-1)?.cp.size) seen.push(c);
      }
    };
    await Promise.all([watcher(), ...Array.from({ length: CONCURRENCY }, writer)]);
    agent.destroy();
    expect(seen.length).toBeGreaterThan(1);

    const restarted = await spawnNode(env);
    let bundles: Buffer[] = [];
    let after: Cp;
    try {
      const now = (await fetchCheckpoint(restarted.url))!;
      after = readCheckpoint(requireSignature(now.note, vkey));
      const leaves = await leafHashes(restarted.url, after.size);
      expect(mth(leaves).equals(after.root)).toBe(true);
      for (const { note, cp } of seen) {
        requireSignature(note, vkey);
        const proof = consistency(cp.size, leaves);
        expect(checkConsistency(cp.size, after.size, cp.root, after.root, proof), `${cp.size} -> ${after.size}`).toBe(
          true,
        );
      }
      for (let n = 0; n * 256 < after.size; n++)
        bundles.push(...(await entries(restarted.url, n, Math.min(256, after.size - n * 256))));
      bundles.forEach((e, i) => expect(hashLeaf(e).equals(leaves[i]!)).toBe(true));
    } finally {
      await restarted.stop();
    }
    // Stopped: the change log itself, entry for entry.
    const store = await openLmdbStore({ path: join(dataDir, 'lmdb') });
    try {
      const log: ChangeEntry[] = [];
      for (
        let page = await store.changesSince(0, 10_000);
        page.length > 0;
        page = await store.changesSince(log.length, 10_000)
      )
        log.push(...page);
      expect(log.length).toBe(after.size);
      log.forEach((e, i) => expect(bundles[i]!.equals(expectedLeaf(e as never)), `seq ${e.seq}`).toBe(true));
      console.log(
        `tlog crash: acks=${acks} checkpoints seen=${seen.length} last seen=${seen.at(-1)!.cp.size} after restart=${after.size}`,
      );
    } finally {
      await store.close();
      bundles = [];
    }
  }, 240_000);
});
