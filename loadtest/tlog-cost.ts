/**
 * `node loadtest/tlog-cost.ts [entries]`: CPU time of hashing the change log into the
 * transparency log's tiles against the CPU time of writing those changes (LMDB, durable commits
 * of 2000 records as an import does), in one process, so the ratio holds on a loaded machine.
 * The log runs after the commit, on the same thread: its share is the most it can take from
 * the import rate.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbStore } from '../node/src/store/lmdb-store.ts';
import type { StoreOp } from '../node/src/store/store.ts';
import { openTransparencyLog } from '../node/src/tlog/open-log.ts';

const entries = Number(process.argv[2] ?? '100000');
const CHUNK = 2000;
const dir = await mkdtemp(join(tmpdir(), 'idnode-tlog-cost-'));
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
try {
  const store = await openLmdbStore({ path: join(dir, 'lmdb') });
  const { log } = await openTransparencyLog(store, { dataDir: dir, origin: 'cost.test/log', checkpointMs: 60_000 });
  let writeMs = 0;
  let hashMs = 0;
  for (let done = 0; done < entries; done += CHUNK) {
    const ops: StoreOp[] = Array.from({ length: CHUNK }, (_, i) => {
      const handle = `88.100.5/BAT-2025-${String(done + i).padStart(7, '0')}`;
      const values = [
        {
          index: 1,
          type: 'URL',
          data: { format: 'string', value: `https://passport.example/${handle}` },
          ttl: 86400,
          timestamp: new Date().toISOString(),
          access: 'public' as const,
        },
        {
          index: 2,
          type: 'DPP',
          data: { format: 'json', value: { gtin: '09506000134352', batch: String(done + i) } },
          ttl: 86400,
          timestamp: new Date().toISOString(),
          access: 'public' as const,
        },
      ];
      return { op: 'put', key: handle.toLowerCase(), input: { handle, values }, cond: undefined };
    });
    // Alternated per chunk: write, then hash what was written.
    let t = cpu();
    await store.commit(ops, { actor: 'import' });
    writeMs += cpu() - t;
    t = cpu();
    await log.caughtUp();
    log.publish();
    hashMs += cpu() - t;
  }
  process.stdout.write(
    `tlog-cost: ${entries} entries; write CPU ${writeMs.toFixed(0)} ms, log CPU ${hashMs.toFixed(0)} ms ` +
      `(${((100 * hashMs) / writeMs).toFixed(1)} % of the write CPU); tree size ${log.tree.size}; load ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}\n`,
  );
  await log.stop();
  await store.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
