import { join } from 'node:path';
import { parseIdentifier } from '../../node/src/identifier/index.ts';
import { openLmdbStore } from '../../node/src/store/lmdb-store.ts';
import { openRedisStore } from '../../node/src/store/redis-store.ts';
import type { Store } from '../../node/src/store/store.ts';
import { valuesOf } from './import-floor.ts';

/**
 * Registers the benchmark identifiers by writing the node's LMDB store directly, before the node
 * starts: 100,000 HTTP PUTs would take longer than the benchmark itself. Records have the shape an
 * HTTP PUT by the prefix admin creates (a URL value plus the default HS_ADMIN the writer adds).
 */

export const BENCH_PREFIX = '88.100.5';
export const benchHandle = (i: number): string => `${BENCH_PREFIX}/LT-${String(i).padStart(6, '0')}`;

const BATCH = 5_000;

/** Writes `count` records into `<dataDir>/lmdb`, the path node/src/main.ts opens. */
export async function seedStore(dataDir: string, count: number): Promise<void> {
  await seed(await openLmdbStore({ path: join(dataDir, 'lmdb') }), count);
}

/** The same records into a Redis store (namespace "idn", the node's default). */
export async function seedRedis(url: string, count: number): Promise<void> {
  await seed(await openRedisStore({ url, keyPrefix: 'idn', commandTimeoutMs: 10_000 }), count);
}

async function seed(store: Store, count: number): Promise<void> {
  const now = new Date().toISOString();
  const meta = { actor: 'loadtest', reason: 'benchmark seed' };
  try {
    for (let start = 0; start < count; start += BATCH) {
      const writes: Promise<unknown>[] = [];
      // Concurrent puts: lmdb-js batches them into one transaction (one fsync) per event turn;
      // ioredis pipelines them on its one connection.
      for (let i = start; i < Math.min(count, start + BATCH); i++) {
        const id = parseIdentifier(benchHandle(i), 'text');
        writes.push(store.put(id.key, { handle: id.handle, values: valuesOf(i, now) }, { expectAbsent: true }, meta));
      }
      await Promise.all(writes);
    }
  } finally {
    await store.close();
  }
}
