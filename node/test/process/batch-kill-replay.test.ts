import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';
import { basicAuth } from '../helpers/test-node.ts';

/**
 * A real node process is SIGKILLed in the middle of a large NDJSON batch, at several points, and
 * the same batch is sent again with the same Idempotency-Key after each restart. A line's records
 * and its idempotency result are one commit, so every line ever stored answers `replayed: true`
 * with its original version, nothing is stored twice, and the rest is stored. The same for serial
 * ranges: the range and its result are one commit, so no kill leaves a range reserved without it.
 */

const SECRET = 'batch-kill-secret-0123';
const AUTH = basicAuth('300:88.100.5/ADMIN', SECRET);
const LINES = 30_000;
/** Kill when this many lines of the round were answered (replays count: they come first). */
const KILL_AT = [2_500, 11_000, 19_000, 26_000];

const line = (n: number): string =>
  JSON.stringify({
    suffix: `K-${String(n).padStart(6, '0')}`,
    values: [{ index: 1, type: 'URL', data: { format: 'string', value: `https://passport.example/k/${n}` } }],
  });

interface Answer {
  readonly position: number;
  readonly ok: boolean;
  readonly version?: number;
  readonly replayed?: boolean;
  readonly code?: string;
}

/** Streams the whole batch; each answered line goes to `onLine`; resolves when the answer ends or the node dies. */
function sendBatch(node: NodeProcess, key: string, onLine: (a: Answer) => void): Promise<void> {
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port: node.port,
      method: 'POST',
      path: '/api/admin/prefixes/88.100.5/identifiers:batch',
      headers: { authorization: AUTH, 'content-type': 'application/x-ndjson', 'idempotency-key': key },
    });
    req.on('response', (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        const parts = buf.split('\n');
        buf = parts.pop() ?? '';
        for (const p of parts) onLine(JSON.parse(p) as Answer);
      });
      res.on('end', () => resolve());
      res.on('error', () => resolve());
      res.on('close', () => resolve());
    });
    req.on('error', () => resolve());
    void (async () => {
      for (let n = 0; n < LINES; n += 1000) {
        const body = Array.from({ length: Math.min(1000, LINES - n) }, (_, i) => line(n + i)).join('\n') + '\n';
        if (req.destroyed) return;
        if (!req.write(body)) await drainOrClose(req);
      }
      req.end();
    })();
  });
}

function drainOrClose(req: ReturnType<typeof request>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      req.off('drain', done).off('close', done);
      resolve();
    };
    req.on('drain', done).on('close', done);
  });
}

function allocate(node: NodeProcess, key: string): Promise<{ status: number; body?: Record<string, unknown> }> {
  return fetch(`${node.url}/api/admin/prefixes/88.100.5/serials`, {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ count: 1000, pattern: 'SN-{n:9}' }),
  }).then(
    async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }),
    () => ({ status: 0 }),
  );
}

describe('SIGKILL mid-write, then the same request with the same Idempotency-Key', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const start = async (): Promise<{ env: Record<string, string>; dataDir: string }> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'idnode-batch-kill-'));
    dirs.push(dataDir);
    return { dataDir, env: { IDNODE_DATA_DIR: dataDir, IDNODE_ADMIN_SECRET: SECRET, IDNODE_LOG_LEVEL: 'warn' } };
  };

  it(`batch of ${LINES} lines killed at ${KILL_AT.length} points: stored lines replay, nothing twice, the rest stored`, async () => {
    const { env, dataDir } = await start();
    /** Version of each line the node acknowledged as stored, in any round. */
    const acked = new Map<number, number>();
    const wrong: string[] = [];
    const check = (round: number) => (a: Answer) => {
      const before = acked.get(a.position);
      if (before !== undefined && !(a.ok && a.replayed === true && a.version === before)) {
        wrong.push(`round ${round}: line ${a.position} was stored as v${before}, now ${JSON.stringify(a)}`);
      }
      if (a.ok && before === undefined) acked.set(a.position, a.version!);
    };
    for (const [round, at] of KILL_AT.entries()) {
      const node = await spawnNode(env);
      let answered = 0;
      let killing: Promise<unknown> | undefined;
      await sendBatch(node, 'kill-batch-1', (a) => {
        check(round)(a);
        if (++answered === at) killing = node.stop('SIGKILL');
      });
      await (killing ?? node.stop('SIGKILL'));
    }
    const node = await spawnNode(env);
    const final: Answer[] = [];
    await sendBatch(node, 'kill-batch-1', (a) => {
      check(KILL_AT.length)(a);
      final.push(a);
    });
    await node.stop('SIGTERM');
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(final).toHaveLength(LINES);
    expect(final.filter((a) => !a.ok)).toEqual([]);
    const replayed = final.filter((a) => a.replayed === true).length;
    // Lines stored but never acknowledged (their commit synced as the node died) replay too.
    expect(replayed).toBeGreaterThanOrEqual(acked.size - (LINES - replayed));

    // Exactly one identifier and one change-log entry per line, whatever the kills did.
    const store = await openLmdbStore({ path: join(dataDir, 'lmdb') });
    try {
      const perKey = new Map<string, number>();
      for (let seq = 0; ;) {
        const page = await store.changesSince(seq, 10_000);
        if (page.length === 0) break;
        seq = page[page.length - 1]!.seq;
        for (const e of page) if (e.key.startsWith('88.100.5/k-')) perKey.set(e.key, (perKey.get(e.key) ?? 0) + 1);
      }
      expect(perKey.size).toBe(LINES);
      expect([...perKey.values()].every((n) => n === 1)).toBe(true);
      let listed = 0;
      for (let after: string | undefined; ;) {
        const page = await store.list('88.100.5/k-', { limit: 1000, ...(after === undefined ? {} : { after }) });
        listed += page.keys.length;
        if (page.next === undefined) break;
        after = page.next;
      }
      expect(listed).toBe(LINES);
    } finally {
      await store.close();
    }
    console.log(
      `batch-kill: ${KILL_AT.length} kills; final send replayed ${replayed}, stored ${LINES - replayed} anew`,
    );
  }, 300_000);

  it('serial allocations killed at several moments: a retry gets the reserved range, none lost or doubled', async () => {
    const { env } = await start();
    const ranges: { first: number; last: number }[] = [];
    let storedUnanswered = 0;
    let node = await spawnNode(env);
    // How long an answer takes here (authentication included), so the kills land around the commit.
    const t0 = performance.now();
    const warm = await allocate(node, 'serial-warm-up');
    ranges.push(warm.body as { first: number; last: number });
    const latency = performance.now() - t0;
    // Ten allocations in flight at each kill: some not yet committed, some committed (synced or
    // merely written) but not answered, some answered.
    for (const [round, share] of [0.3, 0.6, 0.8, 0.9, 1.0, 1.2].entries()) {
      const delayMs = share * latency;
      const keys = Array.from({ length: 10 }, (_, i) => `serial-kill-${round}-${i}`);
      const first = keys.map((k) => allocate(node, k));
      await new Promise((r) => setTimeout(r, delayMs));
      await node.stop('SIGKILL');
      const answered = await Promise.all(first);
      node = await spawnNode(env);
      for (const [i, key] of keys.entries()) {
        const retry = await allocate(node, key);
        expect([200, 201]).toContain(retry.status);
        const range = retry.body as { first: number; last: number; replayed: boolean };
        if (answered[i]!.status === 201) expect(range).toMatchObject({ ...answered[i]!.body, replayed: true });
        else if (range.replayed) storedUnanswered++;
        ranges.push({ first: range.first, last: range.last });
      }
    }
    await node.stop('SIGTERM');
    // Contiguous from 1: a range reserved without its result (or given twice) would show here.
    ranges.sort((a, b) => a.first - b.first);
    let next = 1;
    for (const r of ranges) {
      expect(r.first).toBe(next);
      next = r.last + 1;
    }
    console.log(
      `serial-kill: ${ranges.length} ranges over 6 kills, ${storedUnanswered} stored but unanswered, then replayed`,
    );
  }, 300_000);
});
