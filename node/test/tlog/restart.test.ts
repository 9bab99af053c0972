import { open } from 'lmdb';
import { appendFileSync, truncateSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChangeEntry } from '../../src/store/store.ts';
import type { StoredRecord } from '../../src/records/types.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import { openTransparencyLog } from '../../src/tlog/open-log.ts';
import { putRecord, startTestNode, urlValue } from '../helpers/test-node.ts';
import { digestOfValue } from './verifier/leaf.ts';
import { checkConsistency } from './verifier/merkle.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A node with `n` records written through the API, stopped; its data directory stays. */
async function nodeWith(n: number): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'idnode-tlog-'));
  dirs.push(dataDir);
  const node = await startTestNode(['88.100.5'], { dataDir, tlog: {} });
  expect(
    (await putRecord(node.url, '88.100.5/R-0', [urlValue(1, 'https://example.com/0')], node.adminAuth('88.100.5')))
      .status,
  ).toBe(201);
  // The rest as an import writes them: batches straight into the store.
  for (let i = 1; i < n; i += 100) {
    const ops = Array.from({ length: Math.min(100, n - i) }, (_, j) => {
      const handle = `88.100.5/R-${i + j}`;
      const values = [
        {
          ...urlValue(1, `https://example.com/${i + j}`),
          ttl: 86400,
          timestamp: new Date().toISOString(),
          access: 'public' as const,
        },
      ];
      return { op: 'put' as const, key: handle.toLowerCase(), input: { handle, values }, cond: undefined };
    });
    await node.store.commit(ops, { actor: 'restart-test' });
  }
  await node.ctx.tlog!.caughtUp();
  node.ctx.tlog!.publish();
  await node.close();
  return dataDir;
}

async function reopen(dataDir: string) {
  const store = await openLmdbStore({ path: join(dataDir, 'lmdb') });
  const { log, check } = await openTransparencyLog(store, { dataDir, origin: 'idnode.test/log', checkpointMs: 60_000 });
  return { store, log, check, close: async () => (await log.stop(), await store.close()) };
}

describe('restart: the tiles are kept, checked against the change log, repaired', () => {
  it('keeps the tiles of a clean stop and rehashes nothing', async () => {
    const dataDir = await nodeWith(300);
    const r = await reopen(dataDir);
    expect(r.check).toMatchObject({ rebuilt: false, rehashed: 0, published: 'extended' });
    expect(r.log.tree.size).toBe(await r.store.lastSeq());
    await r.close();
  });

  it('rehashes a torn tail and missing tile roots, and still extends the published checkpoint', async () => {
    const dataDir = await nodeWith(300);
    const level0 = join(dataDir, 'tlog', 'level-0');
    truncateSync(level0, statSync(level0).size - 32 * 40 - 7);
    truncateSync(join(dataDir, 'tlog', 'level-1'), 0);
    const r = await reopen(dataDir);
    const last = await r.store.lastSeq();
    // 40 whole hashes and the torn one are gone.
    expect(r.check).toMatchObject({ rebuilt: false, kept: last - 41, rehashed: 41, published: 'extended' });
    expect(r.log.tree.files.count(1)).toBe(Math.floor(r.log.tree.size / 256));
    await r.close();
  });

  it('rebuilds tiles that disagree with the change log (a garbage tail)', async () => {
    const dataDir = await nodeWith(20);
    appendFileSync(join(dataDir, 'tlog', 'level-0'), Buffer.alloc(64, 1));
    const r = await reopen(dataDir);
    expect(r.check).toMatchObject({ published: 'extended' });
    expect(r.log.tree.size).toBe(await r.store.lastSeq());
    await r.close();
  });
});

/** Rewrites a stored value in the stopped node's LMDB, as an attacker with disk access could. */
function tamper(dataDir: string, db: 'records' | 'changes', key: string | number, edit: (v: never) => unknown): void {
  const root = open({ path: join(dataDir, 'lmdb'), maxDbs: 8 });
  const table = root.openDB<unknown, string | number>({ name: db });
  table.putSync(key, edit(table.get(key) as never));
  void root.close();
}

const evil = (r: StoredRecord): StoredRecord => ({
  ...r,
  values: r.values.map((v) => ({ ...v, data: { format: 'string', value: 'https://evil.example/' } })),
});

describe("tampering with a stopped node's LMDB", () => {
  it("a record's bytes changed: the proof of the answer no longer covers its values", async () => {
    const dataDir = await nodeWith(3);
    tamper(dataDir, 'records', '88.100.5/r-1', evil);
    const node = await startTestNode(['88.100.5'], { dataDir, tlog: {} });
    try {
      const res = await fetch(`${node.url}/api/handles/88.100.5/R-1?proof=true`);
      const body = (await res.json()) as { values: Parameters<typeof digestOfValue>[0][] };
      const text = Buffer.from(res.headers.get('idnode-tlog-proof') ?? '', 'base64').toString();
      const extra = JSON.parse(Buffer.from(text.split('\n')[1]!.slice(6), 'base64').toString()) as {
        valueDigests: string[];
      };
      expect(body.values[0]?.data.value).toBe('https://evil.example/');
      expect(extra.valueDigests).not.toContain(digestOfValue(body.values[0]!).toString('base64'));
    } finally {
      await node.close();
    }
  });

  it('a change-log entry changed: the next checkpoint is not consistent with the one published before', async () => {
    const dataDir = await nodeWith(300);
    const before = await reopen(dataDir);
    const old = before.log.latest;
    const seq = (await before.store.lastSeq()) - 3;
    await before.close();
    tamper(dataDir, 'changes', seq, (e: ChangeEntry) => ({ ...e, record: evil(e.record) }));
    const after = await reopen(dataDir);
    try {
      expect(after.check.published).toBe('rewritten');
      expect(after.log.rewritten).toBe(true);
      const now = after.log.latest.checkpoint;
      expect(now.size).toBe(old.checkpoint.size);
      expect(now.root.equals(old.checkpoint.root)).toBe(false);
      const proof = after.log.tree.consistency(old.checkpoint.size, now.size);
      expect(checkConsistency(old.checkpoint.size, now.size, old.checkpoint.root, now.root, proof)).toBe(false);
    } finally {
      await after.close();
    }
  });
});
