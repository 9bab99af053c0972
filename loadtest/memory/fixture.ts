import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { parseIdentifier } from '../../node/src/identifier/index.ts';
import type { StoredRecord } from '../../node/src/records/types.ts';
import type { ChangeEntry } from '../../node/src/store/store.ts';
import { BENCH_PREFIX, seedStore } from '../lib/seed-store.ts';

/**
 * A large LMDB store for the memory benchmark, written straight with lmdb-js in the store's format
 * (node/src/store/lmdb-store.ts: records, change log, per-key history index, lastSeq and
 * historyIndexedTo), as if `count` PUTs had been committed: one record made through the real store
 * is the template, so the shapes are the store's own. Kept under the temp dir between runs
 * (`<tmp>/idnode-fixture-<count>-v1`, marked complete at the end).
 */

export const memHandle = (i: number): string => `${BENCH_PREFIX}/MEM-${String(i).padStart(8, '0')}`;

const CHUNK = 50_000;
const MARK = 'complete';

interface Template {
  readonly record: StoredRecord;
  readonly change: ChangeEntry;
}

async function template(dir: string): Promise<Template> {
  await seedStore(dir, 1);
  const root = open({ path: join(dir, 'lmdb'), maxDbs: 8 });
  try {
    const [first] = Array.from(root.openDB<StoredRecord, string>({ name: 'records' }).getRange({ limit: 1 }));
    const change = root.openDB<ChangeEntry, number>({ name: 'changes' }).get(1);
    if (!first || !change) throw new Error('the template store has no record');
    return { record: first.value, change };
  } finally {
    await root.close();
  }
}

export async function lmdbFixture(count: number, log: (line: string) => void): Promise<string> {
  const dir = join(tmpdir(), `idnode-fixture-${count}-v1`);
  if (existsSync(join(dir, MARK))) return dir;
  await rm(dir, { recursive: true, force: true });
  const t = await template(join(dir, 'template'));
  const keyOf = (handle: string): string => parseIdentifier(handle, 'text').key;
  // The key of every handle here is the handle with its letters lower-cased: checked, then derived by string.
  if (keyOf(memHandle(7)) !== memHandle(7).toLowerCase()) throw new Error('unexpected key form');
  await mkdir(join(dir, 'lmdb'), { recursive: true });
  const root = open({ path: join(dir, 'lmdb'), maxDbs: 8, mapSize: 4 * 1024 ** 3, noSync: true });
  const records = root.openDB<StoredRecord, string>({ name: 'records' });
  const changes = root.openDB<ChangeEntry, number>({ name: 'changes' });
  const history = root.openDB<number, [string, number]>({ name: 'history' });
  const meta = root.openDB<number, string>({ name: 'meta' });
  const [url, ...rest] = t.record.values;
  const started = performance.now();
  for (let from = 0; from < count; from += CHUNK) {
    root.transactionSync(() => {
      for (let i = from; i < Math.min(count, from + CHUNK); i++) {
        const handle = memHandle(i);
        const key = handle.toLowerCase();
        const seq = i + 1;
        const record: StoredRecord = {
          ...t.record,
          handle,
          values: [{ ...url!, data: { format: 'string', value: `https://passport.example/mem/${i}` } }, ...rest],
        };
        records.putSync(key, record);
        changes.putSync(seq, { ...t.change, seq, key, record });
        history.putSync([key, seq], 1);
      }
    });
    if ((from / CHUNK) % 20 === 0)
      log(`  fixture: ${from + CHUNK} of ${count} (${Math.round((performance.now() - started) / 1000)} s)`);
  }
  root.transactionSync(() => {
    meta.putSync('lastSeq', count);
    meta.putSync('historyIndexedTo', count);
  });
  await root.flushed;
  await root.close();
  await rm(join(dir, 'template'), { recursive: true, force: true });
  await writeFile(join(dir, MARK), `${count} identifiers, ${new Date().toISOString()}\n`);
  return dir;
}
