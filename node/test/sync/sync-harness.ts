import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SyncClient, type SyncClientType } from '../../../proto/load.ts';
import { HomedPrefixes } from '../../src/authority/homed-prefixes.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import type { ValueInput } from '../../src/records/schema.ts';
import { ChangeFeed } from '../../src/store/change-feed.ts';
import type { ChangeEntry, ReadonlyStore, Store } from '../../src/store/store.ts';
import { readProvenance, syncedFrom } from '../../src/sync/index.ts';
import type { SystemPrincipal } from '../../src/write/principal.ts';
import { RecordService } from '../../src/write/record-service.ts';

/** A RecordService over a bare store (no homed prefixes: only system principals write through it). */
export const recordServiceOver = (store: Store): RecordService =>
  new RecordService(store, { homed: new HomedPrefixes([]), changes: new ChangeFeed() });

/**
 * The secondary's own writes in these tests: a system principal that may change anything, so the
 * workload goes through the same service (and value rules) as a real secondary's API writes.
 */
export const WORKLOAD: SystemPrincipal = {
  kind: 'system',
  name: 'test-workload',
  mayChange: () => true,
  revivesTombstones: false,
  homedOnly: false,
};

/** Writes for one identifier as the secondary's API would (through RecordService). */
export function secondaryWriter(records: RecordService) {
  const id = (key: string) => parseIdentifier(key.toUpperCase(), 'text');
  return {
    create: (key: string, values: readonly ValueInput[]) =>
      records.apply({ changes: [{ op: 'create', id: id(key), values }] }, WORKLOAD),
    replace: (key: string, values: readonly ValueInput[], ifMatch?: number) =>
      records.apply({ changes: [{ op: 'replace', id: id(key), values, ...(ifMatch ? { ifMatch } : {}) }] }, WORKLOAD),
    delete: (key: string) => records.apply({ changes: [{ op: 'delete', id: id(key) }] }, WORKLOAD),
  };
}

export const tempDir = (name: string): Promise<string> => mkdtemp(join(tmpdir(), `idnode-sync-${name}-`));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export const insecureClient = (port: number) => (): SyncClientType =>
  new SyncClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

const RECEIVER = fileURLToPath(new URL('./fixtures/receiver-process.ts', import.meta.url));

/** Spawns the receiver process and resolves once it listens; the caller kills it by its pid. */
export function spawnReceiver(dataDir: string, port: number, allowed: Record<string, string[]>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [RECEIVER], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), ALLOWED: JSON.stringify(allowed) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('receiver did not start in 15 s')), 15_000);
    child.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('READY')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`receiver exited early (${code})`)));
  });
}

export function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    process.kill(child.pid!, 'SIGKILL');
  });
}

/** Every entry of a store's change log, oldest first. */
export async function allChanges(store: ReadonlyStore): Promise<ChangeEntry[]> {
  const out: ChangeEntry[] = [];
  for (let after = 0; ;) {
    const page = await store.changesSince(after, 10_000);
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1]!.seq;
  }
}

export interface Comparison {
  readonly keys: number;
  readonly missing: number;
  readonly duplicated: number;
  readonly applied: number;
  /** Keys whose copy lacks (current) provenance from the node: the takeover rule would miss them. */
  readonly unmarked: number;
}

/**
 * Compares the top-level copy with the secondary: every key the secondary ever changed must be
 * there at the same version with the same values and deletedness (else "missing"); every source
 * seq must have been applied at most once according to the top-level's own change log (the sync
 * writes `sync seq=N` as the reason), else "duplicated".
 */
export async function compareCopies(source: ReadonlyStore, copy: ReadonlyStore, nodeId: string): Promise<Comparison> {
  const keys = new Set((await allChanges(source)).map((e) => e.key));
  let missing = 0;
  let unmarked = 0;
  for (const key of keys) {
    if ((await syncedFrom(copy, key)) !== nodeId) unmarked += 1;
    const [a, b] = await Promise.all([source.get(key), copy.get(key)]);
    const same =
      a !== undefined &&
      b !== undefined &&
      a.version === b.version &&
      (a.deletedAt === undefined) === (b.deletedAt === undefined) &&
      JSON.stringify(a.values) === JSON.stringify(b.values);
    if (!same) missing += 1;
  }
  const seqs = (await allChanges(copy))
    .filter((e) => e.actor === `sync:${nodeId}` && e.reason?.startsWith('sync seq='))
    .map((e) => e.reason!.split(' ')[1]);
  const distinct = new Set(seqs);
  return { keys: keys.size, missing, duplicated: seqs.length - distinct.size, applied: seqs.length, unmarked };
}

/**
 * Synced copies in `copy` whose provenance does not describe them: a record the sync wrote (a
 * `sync seq=` entry in the copy's own log after `afterSeq`) whose provenance record is missing or
 * names another local version. Read straight after a SIGKILL, before any resend could repair
 * anything, this is the crash window between a record and its provenance: it must be 0 at every
 * cut. Returns the count and the log position checked up to (the next call's `afterSeq`).
 */
export async function copiesWithoutProvenance(
  copy: ReadonlyStore,
  nodeId: string,
  afterSeq: number,
): Promise<{ readonly torn: number; readonly checkedThrough: number }> {
  const synced = new Set<string>();
  let checkedThrough = afterSeq;
  for (;;) {
    const page = await copy.changesSince(checkedThrough, 10_000);
    if (page.length === 0) break;
    for (const e of page) if (e.actor === `sync:${nodeId}` && e.reason?.startsWith('sync seq=')) synced.add(e.key);
    checkedThrough = page[page.length - 1]!.seq;
  }
  let torn = 0;
  for (const key of synced) {
    const [record, prov] = await Promise.all([copy.get(key), readProvenance(copy, key)]);
    if (record === undefined || prov?.nodeId !== nodeId || prov.localVersion !== record.version) torn += 1;
  }
  return { torn, checkedThrough };
}
