import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import { openRedisStore } from '../../src/store/redis-store.ts';
import { startRedisServer } from '../helpers/redis-server.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';
import { fillDisk, freeDisk, mountTmpfs, unmount } from './tmpfs.ts';

/**
 * The data directory (LMDB and the audit trail) on an 8 MiB tmpfs that the test fills: writes
 * answer 507 IDN_ERR_STORAGE_FULL at once (single PUT, batch line, serial range), reads and
 * cached scans go on, the audit trail's failed writes are counted instead of thrown, space coming
 * back makes writes work again, and the reopened store has every acknowledged record and a
 * gap-free change log.
 */

const PREFIX = '88.100.5';
const RECORDS = 40;

describe('a full data disk', () => {
  let dir = '';
  let skipped: string | undefined;
  let node: TestNode | undefined;
  const acked = new Map<string, number>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idnode-diskfull-'));
    skipped = mountTmpfs(dir, 8);
    if (skipped === undefined) node = await startTestNode([PREFIX], { dataDir: dir, audit: true });
  });
  afterAll(async () => {
    await node?.close();
    if (skipped === undefined) unmount(dir);
    await rm(dir, { recursive: true, force: true });
  });

  const put = async (suffix: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await putRecord(
      node!.url,
      `${PREFIX}/${suffix}`,
      [urlValue(1, `https://p.example/${suffix}`)],
      node!.adminAuth(PREFIX),
    );
    if (r.status < 300) acked.set(suffix.toLowerCase(), r.body.version as number);
    return r;
  };
  const batch = (suffix: string): Promise<{ ok: boolean; code?: string }[]> =>
    fetch(`${node!.url}/api/admin/prefixes/${PREFIX}/identifiers:batch`, {
      method: 'POST',
      headers: { authorization: node!.adminAuth(PREFIX), 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ suffix, values: [urlValue(1, 'https://p.example/b')] })}\n`,
    }).then(async (res) =>
      (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { ok: boolean; code?: string }),
    );
  const serials = (): Promise<Response> =>
    fetch(`${node!.url}/api/admin/prefixes/${PREFIX}/serials`, {
      method: 'POST',
      headers: { authorization: node!.adminAuth(PREFIX), 'content-type': 'application/json' },
      body: JSON.stringify({ count: 10, pattern: 'SN-{n:6}' }),
    });

  it('refuses writes with 507, keeps reading, writes again once space returns, loses nothing', async (t) => {
    if (skipped !== undefined) return t.skip(skipped);
    for (let i = 0; i < RECORDS; i++) expect((await put(`R-${i}`)).status).toBe(201);
    // A cached answer (the scan route and the JSON route both go through the cache).
    expect((await fetch(`${node!.url}/api/handles/${PREFIX}/R-0`)).status).toBe(200);
    const filled = await fillDisk(dir);

    // Keep writing until LMDB's next page write meets the full disk (its file has some slack).
    let refused: { status: number; body: Record<string, unknown> } | undefined;
    for (let i = 0; i < 2000 && refused === undefined; i++) {
      const r = await put(`FULL-${i}`);
      if (r.status >= 300) refused = r;
    }
    expect(refused?.status).toBe(507);
    expect(refused?.body).toMatchObject({ code: 'IDN_ERR_STORAGE_FULL' });
    expect(String(refused?.body.message)).toMatch(/Free space/);
    expect((await serials()).status).toBe(507);
    expect(await batch('B-FULL')).toMatchObject([{ ok: false, code: 'IDN_ERR_STORAGE_FULL' }]);

    // Reads, cached and not, go on; the audit trail fails on the same disk and is counted.
    for (const suffix of ['R-0', 'R-1', `R-${RECORDS - 1}`]) {
      expect((await fetch(`${node!.url}/api/handles/${PREFIX}/${suffix}`)).status).toBe(200);
    }
    expect((await fetch(`${node!.url}/${PREFIX}/R-0`, { redirect: 'manual' })).status).toBeLessThan(400);
    for (let i = 0; i < 50; i++)
      node!.ctx.audit.read({ identifier: `${PREFIX}/R-${i}`, via: 'admin', tier: 'admin', route: 'api', values: [] });
    await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${node!.url}/api/handles/${PREFIX}/R-2`)).status).toBe(200);
    const metrics = await (await fetch(`${node!.url}/metrics`)).text();
    expect(metrics).toMatch(/idnode_log_write_failures_total\{log="audit-reads"\} [1-9]/);

    await freeDisk(dir);
    expect((await put('AFTER')).status).toBe(201);
    expect((await serials()).status).toBe(201);
    expect(await batch('B-AFTER')).toMatchObject([{ ok: true }]);
    console.log(`disk-full: ${acked.size} acknowledged, filler ${filled} bytes, refused with ${refused?.status}`);

    // Reopen: every acknowledged record at its version, the change log gap-free.
    await node!.close();
    node = undefined;
    const store = await openLmdbStore({ path: join(dir, 'lmdb') });
    try {
      for (const [suffix, version] of acked) expect((await store.get(`${PREFIX}/${suffix}`))?.version).toBe(version);
      const last = await store.lastSeq();
      const seqs = (await store.changesSince(0, 10_000)).map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    } finally {
      await store.close();
    }
  }, 120_000);
});

describe('the LMDB map', () => {
  it('grows by itself: a 64 KiB map takes 4 MiB of records (MDB_MAP_FULL is never met)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idnode-mapfull-'));
    const store = await openLmdbStore({ path: dir, mapSizeBytes: 64 * 1024 });
    try {
      const data = 'x'.repeat(4000);
      for (let i = 0; i < 1000; i++) {
        const key = `${PREFIX}/m-${i}`;
        await store.put(key, { handle: key, values: [urlValue(1, `https://p.example/${data}`)] } as never, undefined, {
          actor: 'test',
        });
      }
      expect(await store.lastSeq()).toBe(1000);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a Redis out of memory (maxmemory, noeviction)', () => {
  it('refuses writes with IDN_ERR_STORAGE_FULL and keeps reading', async () => {
    const redis = await startRedisServer({ extraArgs: ['--maxmemory', '3mb'] });
    const store = await openRedisStore({ url: redis.url, keyPrefix: 'idn', commandTimeoutMs: 5000 });
    try {
      const data = 'x'.repeat(4000);
      let refused: unknown;
      let i = 0;
      for (; i < 5000 && refused === undefined; i++) {
        const key = `${PREFIX}/oom-${i}`;
        await store
          .put(key, { handle: key, values: [urlValue(1, `https://p.example/${data}`)] } as never, undefined, {
            actor: 'test',
          })
          .catch((e: unknown) => (refused = e));
      }
      expect(refused).toMatchObject({ code: 'IDN_ERR_STORAGE_FULL' });
      expect((await store.get(`${PREFIX}/oom-0`))?.version).toBe(1);
      console.log(`redis-oom: refused after ${i - 1} records under maxmemory 3mb`);
    } finally {
      await store.close();
      await redis.cleanup();
    }
  });
});
