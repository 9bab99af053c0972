/**
 * Child process for the store crash test: writes as fast as it can and prints "key version" for
 * each write the moment its promise resolves (stdout to a pipe is synchronous on Linux, so a
 * printed line was acknowledged before any SIGKILL). Usage: node crash-writer.ts <store-dir>
 */
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { RecordInput } from '../../src/store/store.ts';

const LANES = 32;
const META = { actor: 'crash-writer' };

const path = process.argv[2];
if (path === undefined) throw new Error('usage: crash-writer.ts <store-dir>');
const store = await openLmdbStore({ path });

const record = (handle: string, n: number): RecordInput => ({
  handle,
  values: [
    {
      index: 1,
      type: 'URL',
      data: { format: 'string', value: `https://example.com/${handle}?n=${n}` },
      ttl: 86400,
      timestamp: new Date().toISOString(),
      access: 'public',
    },
  ],
});

const ack = (key: string, version: number): void => void process.stdout.write(`${key} ${version}\n`);

/** Each lane creates fresh keys and now and then rewrites its own lane key, so versions climb too. */
async function lane(id: number): Promise<void> {
  const laneKey = `88.100.5/lane-${id}`;
  for (let n = 0; ; n++) {
    const key = `88.100.5/crash-${id}-${n}`;
    ack(key, (await store.put(key, record(key, n), { expectAbsent: true }, META)).version);
    if (n % 8 === 7) ack(laneKey, (await store.put(laneKey, record(laneKey, n), undefined, META)).version);
  }
}

process.stdout.write('ready\n');
await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
