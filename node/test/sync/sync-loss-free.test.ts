import * as grpc from '@grpc/grpc-js';
import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openLmdbStore, type LmdbStore } from '../../src/store/lmdb-store.ts';
import type { ValueInput } from '../../src/records/schema.ts';
import { createSyncMount, nodeIdFromMetadata, readCursor, startSyncSender, syncedFrom } from '../../src/sync/index.ts';
import type { SyncSender } from '../../src/sync/index.ts';
import { sized } from '../helpers/scale.ts';
import {
  compareCopies,
  copiesWithoutProvenance,
  freePort,
  insecureClient,
  killHard,
  recordServiceOver,
  secondaryWriter,
  spawnReceiver,
  tempDir,
} from './sync-harness.ts';

const NODE = 'sec-a';
const ALLOWED: Record<string, string[]> = { [NODE]: ['88.100'] };
// Enough that the receiver is killed mid-stream at every cut; 50,000 under IDNODE_TEST_FULL=1.
const TOTAL = sized(20_000, 50_000);
const CHUNK = 1_000;
const MIN_CUTS = 5;

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) await killHard(c);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const value = (n: number, tag = 'v1'): ValueInput[] => [
  { index: 1, type: 'URL', data: { format: 'string', value: `https://passport.example.com/${tag}/${n}` }, ttl: 86400 },
];
const key = (n: number): string => `88.100.5/bat-${String(n).padStart(6, '0')}`;

/**
 * Registers TOTAL identifiers in chunks through the secondary's RecordService; every 100th is
 * updated once, every 250th deleted.
 */
async function writeWorkload(store: LmdbStore): Promise<void> {
  const w = secondaryWriter(recordServiceOver(store));
  for (let start = 0; start < TOTAL; start += CHUNK) {
    const ns = Array.from({ length: CHUNK }, (_, i) => start + i);
    await Promise.all(ns.map((n) => w.create(key(n), value(n))));
    await Promise.all(ns.filter((n) => n % 100 === 0).map((n) => w.replace(key(n), value(n, 'v2'), 1)));
    await Promise.all(ns.filter((n) => n % 250 === 0).map((n) => w.delete(key(n))));
    await sleep(60);
  }
}

interface Receiver {
  child: ChildProcess;
}

/** What the top-level store holds right after a SIGKILL, before the receiver restarts (log after `afterSeq`). */
async function afterKill(dir: string, afterSeq: number) {
  const top = await openLmdbStore({ path: dir });
  try {
    return await copiesWithoutProvenance(top, NODE, afterSeq);
  } finally {
    await top.close();
  }
}

/**
 * SIGKILLs and restarts the receiver every `everyMs` until `done` and at least MIN_CUTS cuts
 * happened; after each kill, counts synced records whose provenance is not in the store with them.
 */
async function chaos(
  r: Receiver,
  dir: string,
  port: number,
  done: () => boolean,
  everyMs: number,
): Promise<{ cuts: number; torn: number }> {
  let cuts = 0;
  let torn = 0;
  let checked = 0;
  while (!done() || cuts < MIN_CUTS) {
    await sleep(everyMs);
    await killHard(r.child);
    cuts += 1;
    // Only what was written since the last cut: a record torn from its provenance stays torn until a resend.
    const seen = await afterKill(dir, checked);
    torn += seen.torn;
    checked = seen.checkedThrough;
    r.child = await spawnReceiver(dir, port, ALLOWED);
    children.push(r.child);
  }
  return { cuts, torn };
}

describe('upward sync loses nothing', () => {
  let sender: SyncSender | undefined;

  it(`syncs ${TOTAL} registrations through ${MIN_CUTS}+ SIGKILLs of the top-level receiver, exactly once`, async () => {
    const t0 = Date.now();
    const [aDir, tDir] = [await tempDir('a'), await tempDir('top')];
    dirs.push(aDir, tDir);
    const port = await freePort();
    const a = await openLmdbStore({ path: join(aDir, 'lmdb') });
    const r: Receiver = { child: await spawnReceiver(join(tDir, 'lmdb'), port, ALLOWED) };
    children.push(r.child);
    sender = startSyncSender({
      store: a,
      connect: insecureClient(port),
      nodeId: NODE,
      backoff: { baseMs: 50, maxMs: 400 },
      pollMs: 20,
    });
    let written = false;
    const writing = writeWorkload(a).then(() => void (written = true));
    const { cuts, torn } = await chaos(r, join(tDir, 'lmdb'), port, () => written, 900);
    await writing;
    expect(await sender.caughtUp(60_000)).toBe(true);
    const beforeRestart = sender.status();

    // Resume after a restart starts at resume_from: only the new entries travel again.
    await killHard(r.child);
    r.child = await spawnReceiver(join(tDir, 'lmdb'), port, ALLOWED);
    children.push(r.child);
    const w = secondaryWriter(recordServiceOver(a));
    for (let n = TOTAL; n < TOTAL + 10; n += 1) await w.create(key(n), value(n));
    expect(await sender.caughtUp(30_000)).toBe(true);
    const after = sender.status();
    expect(after.lastResumeFrom).toBe(beforeRestart.lastSeq);
    expect(after.sentEntries - beforeRestart.sentEntries).toBe(10);

    await sender.stop();
    sender = undefined;
    await killHard(r.child);
    const top = await openLmdbStore({ path: join(tDir, 'lmdb') });
    const cmp = await compareCopies(a, top, NODE);
    const lastSeq = await a.lastSeq();
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(
      `sync: entries=${lastSeq} keys=${cmp.keys} cuts=${cuts} sent=${after.sentEntries} sessions=${after.sessions} ` +
        `applied=${cmp.applied} unmarked=${cmp.unmarked} tornAtKill=${torn} missing=${cmp.missing} ` +
        `duplicated=${cmp.duplicated} seconds=${seconds}`,
    );
    expect(cmp.missing).toBe(0);
    expect(cmp.duplicated).toBe(0);
    expect(cmp.applied).toBe(lastSeq);
    expect(cuts).toBeGreaterThanOrEqual(MIN_CUTS);
    expect((await readCursor(top, NODE)).appliedThrough).toBe(lastSeq);
    expect(cmp.unmarked).toBe(0);
    // The record and its provenance are one commit: no kill ever finds one without the other.
    expect(torn).toBe(0);
    await Promise.all([a.close(), top.close()]);
  }, 180_000); // 25-35 s on an idle 2-core machine; room for a loaded one

  afterAll(async () => {
    await sender?.stop();
  });
});

describe('sync receiver refuses foreign prefixes', () => {
  it('acks a foreign-prefix entry with an error, never applies it, and keeps syncing the rest', async () => {
    const [aDir, tDir] = [await tempDir('a2'), await tempDir('top2')];
    dirs.push(aDir, tDir);
    const a = await openLmdbStore({ path: join(aDir, 'lmdb') });
    const top = await openLmdbStore({ path: join(tDir, 'lmdb') });
    const server = new grpc.Server();
    const records = recordServiceOver(top);
    createSyncMount({ records, nodeIdOf: nodeIdFromMetadata, allowedPrefixes: (id) => ALLOWED[id] })(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    const w = secondaryWriter(recordServiceOver(a));
    for (const k of ['88.100.5/ok-1', '88.200/stolen', '0.na/88.100', '88.100.5/ok-2']) await w.create(k, value(1));
    const refused: string[] = [];
    const s = startSyncSender({
      store: a,
      connect: insecureClient(port),
      nodeId: NODE,
      pollMs: 20,
      onRefused: (e) => refused.push(e.code),
    });
    expect(await s.caughtUp(15_000)).toBe(true);
    await s.stop();
    expect(refused).toEqual(['IDN_ERR_SYNC_FOREIGN_PREFIX']);
    expect(await top.get('88.200/stolen')).toBeUndefined();
    // The secondary's copy of its own delegation record never replaces the top-level's directory entry.
    expect(await top.get('0.na/88.100')).toBeUndefined();
    expect((await top.get('88.100.5/ok-2'))?.version).toBe(1);
    const cursor = await readCursor(top, NODE);
    expect(cursor).toMatchObject({
      appliedThrough: 4,
      refused: 1,
      lastRefused: { seq: 2, key: '88.200/stolen', code: 'IDN_ERR_SYNC_FOREIGN_PREFIX' },
    });
    expect(await syncedFrom(top, '88.100.5/ok-1')).toBe(NODE);
    server.forceShutdown();
    await Promise.all([a.close(), top.close()]);
  }, 30_000);
});
