import { open } from 'lmdb';
import { mkdir } from 'node:fs/promises';
import { formatPermissions, PERM_IDENTIFIER_OWNER } from '../../node/src/records/permissions.ts';
import type { HandleValue } from '../../node/src/records/types.ts';
import { changeEntry, nextRecord } from '../../node/src/store/record-transitions.ts';

/**
 * The floor of `npm run bench:import`: a bare lmdb-js loop, no node, no HTTP, no rules. It
 * writes the record an import line becomes (the URL value plus the default HS_ADMIN that
 * RecordService adds, built by the store's own record functions) and its change-log entry,
 * `txnSize` lines per transaction, each transaction durable before the next starts (the same
 * environment options as node/src/store/lmdb-store.ts: overlappingSync off, sync on commit).
 */

export interface FloorResult {
  readonly lines: number;
  readonly txnSize: number;
  /** Transactions handed to lmdb-js at once (1: each awaited before the next; more: lmdb-js batches them as it batches the node's commits). */
  readonly inFlight: number;
  readonly transactions: number;
  readonly seconds: number;
  readonly linesPerSecond: number;
}

const PREFIX = '88.100.5';

/** The values RecordService stores for an import line `{suffix, values: [URL]}` by the prefix admin. */
export function valuesOf(n: number, now: string): HandleValue[] {
  const url: HandleValue = {
    index: 1,
    type: 'URL',
    data: { format: 'string', value: `https://passport.example/${n}` },
    ttl: 86_400,
    timestamp: now,
    access: 'public',
  };
  // The default HS_ADMIN of write/plan-change.ts: the creator owns what it creates.
  const admin: HandleValue = {
    index: 100,
    type: 'HS_ADMIN',
    data: {
      format: 'admin',
      value: { handle: `${PREFIX}/ADMIN`, index: 300, permissions: formatPermissions(PERM_IDENTIFIER_OWNER) },
    },
    ttl: 86_400,
    timestamp: now,
    access: 'public',
  };
  return [url, admin];
}

export async function lmdbFloor(path: string, lines: number, txnSize: number, inFlight = 1): Promise<FloorResult> {
  await mkdir(path, { recursive: true });
  const root = open({
    path,
    mapSize: 4 * 1024 ** 3,
    overlappingSync: false,
    noSync: false,
    noMetaSync: false,
    maxDbs: 8,
  });
  const records = root.openDB({ name: 'records' });
  const changes = root.openDB<unknown, number>({ name: 'changes' });
  const meta = root.openDB<number, string>({ name: 'meta' });
  let seq = 0;
  let transactions = 0;
  const running = new Set<Promise<unknown>>();
  const t0 = performance.now();
  for (let first = 1; first <= lines; first += txnSize) {
    const last = Math.min(lines, first + txnSize - 1);
    while (running.size >= inFlight) await Promise.race(running);
    const txn = root.transaction(() => {
      const now = new Date().toISOString();
      for (let n = first; n <= last; n++) {
        const handle = `${PREFIX}/IMP-${String(n).padStart(7, '0')}`;
        const key = handle.toLowerCase();
        const record = nextRecord(undefined, { handle, values: valuesOf(n, now) }, now);
        seq += 1;
        records.putSync(key, record);
        changes.putSync(seq, changeEntry(seq, key, 'put', record, { actor: `300:${PREFIX}/ADMIN`, reason: 'import' }));
      }
      meta.putSync('lastSeq', seq);
    });
    running.add(txn);
    void txn.then(() => running.delete(txn));
    transactions += 1;
  }
  await Promise.all(running);
  const seconds = (performance.now() - t0) / 1000;
  await root.close();
  return { lines, txnSize, inFlight, transactions, seconds, linesPerSecond: lines / seconds };
}
