import { Redis } from 'ioredis';
import { changeEntry, nextRecord } from '../../node/src/store/record-transitions.ts';
import { valuesOf, type FloorResult } from './import-floor.ts';

/**
 * Context for the Redis runs of `npm run bench:import` (their target is a ratio to the lmdb-js
 * floor): a bare ioredis loop writing what the Redis store writes for an import line (the record
 * hash, its index entry, its change-log stream entry and history entry, the seq bump), `txnSize`
 * lines per MULTI/EXEC, pipelined, each EXEC answered before the next is sent. With appendfsync
 * always, Redis answers an EXEC only after the AOF write is fsynced.
 */

export type RedisFloorResult = Omit<FloorResult, 'inFlight'>;

const PREFIX = '88.100.5';

export async function redisFloor(url: string, lines: number, txnSize: number): Promise<RedisFloorResult> {
  const redis = new Redis(url, { keyPrefix: 'floor:' });
  let seq = 0;
  let transactions = 0;
  const t0 = performance.now();
  try {
    for (let first = 1; first <= lines; first += txnSize) {
      const last = Math.min(lines, first + txnSize - 1);
      const now = new Date().toISOString();
      const multi = redis.multi();
      for (let n = first; n <= last; n++) {
        const handle = `${PREFIX}/IMP-${String(n).padStart(7, '0')}`;
        const key = handle.toLowerCase();
        const record = nextRecord(undefined, { handle, values: valuesOf(n, now) }, now);
        seq += 1;
        const entry = changeEntry(seq, key, 'put', record, { actor: `300:${PREFIX}/ADMIN`, reason: 'import' });
        const json = JSON.stringify(record);
        multi.hset(`r:${key}`, 'v', record.version, 'd', json);
        multi.zadd('index', 0, key);
        multi.xadd('log', `${seq}-0`, 'e', JSON.stringify(entry));
        multi.zadd(`h:${key}`, seq, String(seq));
      }
      multi.incrby('seq', last - first + 1);
      const replies = await multi.exec();
      for (const [err] of replies ?? []) if (err) throw err;
      transactions += 1;
    }
  } finally {
    redis.disconnect();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { lines, txnSize, transactions, seconds, linesPerSecond: lines / seconds };
}
