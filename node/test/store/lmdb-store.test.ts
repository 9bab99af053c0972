import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import { runStoreContract } from './store-contract.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../../..');

const freshDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'idnode-lmdb-'));

runStoreContract('lmdb', async () => {
  const dir = await freshDir();
  const path = join(dir, 'store');
  return {
    store: await openLmdbStore({ path }),
    reopen: () => openLmdbStore({ path }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

/** The child runs .ts directly, which needs Node 24 type stripping; vitest itself may run on another Node. */
function node24(): string {
  if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
  const local = join(repoRoot, 'node_modules/.bin/node');
  if (!existsSync(local)) throw new Error('Node 24 not found: run npm ci');
  return local;
}

interface CrashRun {
  readonly acks: ReadonlyMap<string, number>;
  readonly ackCount: number;
  readonly stderr: string;
}

/** Starts the writer, SIGKILLs it after `ms` of writing or `maxAcks` acks, and returns what it acknowledged. */
function runCrashWriter(path: string, ms: number, maxAcks: number): Promise<CrashRun> {
  return new Promise((done, fail) => {
    const child = spawn(node24(), [join(here, 'crash-writer.ts'), path], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks = new Map<string, number>();
    let ackCount = 0;
    let buffered = '';
    let stderr = '';
    const kill = (): boolean => child.kill('SIGKILL');
    const giveUp = setTimeout(kill, 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (buffered + chunk).split('\n');
      // A line cut off by the kill was never fully acknowledged; keep only whole lines.
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') {
          setTimeout(kill, ms);
          continue;
        }
        const [key, version] = line.split(' ');
        if (key === undefined || version === undefined) continue;
        acks.set(key, Math.max(acks.get(key) ?? 0, Number(version)));
        if (++ackCount >= maxAcks) kill();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', () => {
      clearTimeout(giveUp);
      done({ acks, ackCount, stderr });
    });
  });
}

describe('LMDB store', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await freshDir();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('indexes the history of a store written before the index existed when it opens', async () => {
    const path = join(dir, 'store');
    const meta = { actor: 'test' };
    const store = await openLmdbStore({ path });
    const key = '88.100.5/old';
    await store.put(key, { handle: '88.100.5/OLD', values: [] }, undefined, meta);
    await store.put('88.100.5/other', { handle: '88.100.5/OTHER', values: [] }, undefined, meta);
    await store.delete(key, undefined, meta);
    await store.close();
    // What an older idnode left behind: the change log, but no per-key index.
    const raw = open({ path, maxDbs: 8 });
    await raw.openDB({ name: 'history' }).clearAsync();
    await raw.openDB({ name: 'meta' }).remove('historyIndexedTo');
    await raw.close();
    const reopened = await openLmdbStore({ path });
    expect((await reopened.historyOf(key, { limit: 10 })).entries.map((e) => [e.seq, e.op])).toEqual([
      [3, 'delete'],
      [1, 'put'],
    ]);
    await reopened.put(key, { handle: '88.100.5/OLD', values: [] }, { expectVersion: 2 }, meta);
    expect((await reopened.historyOf(key, { limit: 1 })).entries.map((e) => e.seq)).toEqual([4]);
    await reopened.close();
  });

  it('serves getSync from the same data as get', async () => {
    const store = await openLmdbStore({ path: join(dir, 'store') });
    const rec = await store.put(
      '88.100.5/sync',
      { handle: '88.100.5/SYNC', values: [] },
      { expectAbsent: true },
      { actor: 'test' },
    );
    expect(store.getSync('88.100.5/sync')).toEqual(rec);
    expect(store.getSync('88.100.5/none')).toBeUndefined();
    await store.close();
    expect(() => store.getSync('88.100.5/sync')).toThrow(
      expect.objectContaining({ code: 'IDN_ERR_STORE_UNAVAILABLE' }),
    );
  });

  it('grows past a small initial map size', async () => {
    const store = await openLmdbStore({ path: join(dir, 'store'), mapSizeBytes: 256 * 1024 });
    const big = 'x'.repeat(4000);
    const keys = Array.from({ length: 1000 }, (_, i) => `88.100.5/big-${i}`);
    await Promise.all(
      keys.map((k) =>
        store.put(
          k,
          {
            handle: k,
            values: [
              { index: 1, type: 'X', data: { format: 'string', value: big }, ttl: 1, timestamp: '', access: 'public' },
            ],
          },
          undefined,
          { actor: 'test' },
        ),
      ),
    );
    expect(await store.lastSeq()).toBe(1000);
    await store.close();
  });

  it('rolls back a write LMDB refuses and answers STORE_UNAVAILABLE instead of crashing', async () => {
    const store = await openLmdbStore({ path: join(dir, 'store') });
    const tooLong = '88.100.5/' + 'k'.repeat(3000);
    await expect(store.put(tooLong, { handle: tooLong, values: [] }, undefined, { actor: 't' })).rejects.toMatchObject({
      code: 'IDN_ERR_STORE_UNAVAILABLE',
    });
    expect(await store.lastSeq()).toBe(0);
    const ok = await store.put('88.100.5/ok', { handle: '88.100.5/OK', values: [] }, undefined, { actor: 't' });
    expect(ok.version).toBe(1);
    expect((await store.changesSince(0, 10)).map((e) => e.seq)).toEqual([1]);
    await store.close();
  });

  it('reports an unusable path as STORE_UNAVAILABLE', async () => {
    // A regular file where a parent directory should be: mkdir fails with ENOTDIR.
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    await expect(openLmdbStore({ path: join(file, 'sub') })).rejects.toMatchObject({
      code: 'IDN_ERR_STORE_UNAVAILABLE',
    });
  });

  it('keeps every acknowledged write after the writer process is SIGKILLed', async () => {
    const path = join(dir, 'crash');
    const run = await runCrashWriter(path, 1500, 3000);
    expect(run.stderr).toBe('');
    const store = await openLmdbStore({ path });
    let lost = 0;
    for (const [key, version] of run.acks) {
      const rec = await store.get(key);
      // A lane key may hold one more, unacknowledged write; never less than what was acknowledged.
      if (rec === undefined || rec.version < version) lost++;
    }
    const seq = await store.lastSeq();
    await store.close();
    console.log(
      `crash test: acked=${run.ackCount} (distinct keys ${run.acks.size}), lost=${lost}, change-log lastSeq=${seq}`,
    );
    expect(run.ackCount).toBeGreaterThan(0);
    expect(seq).toBeGreaterThanOrEqual(run.ackCount);
    expect(lost).toBe(0);
  });
});
