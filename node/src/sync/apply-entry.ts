import { isDeepStrictEqual } from 'node:util';
import type { StoredRecord } from '../records/types.ts';
import type { ChangeEntry, ChangeMeta, Store } from '../store/store.ts';
import { readProvenance, writeProvenance, type Provenance } from './sync-records.ts';

export type ApplyOutcome = 'applied' | 'already-applied' | 'stale';

const sameContent = (a: StoredRecord, b: StoredRecord): boolean =>
  (a.deletedAt === undefined) === (b.deletedAt === undefined) && isDeepStrictEqual(a.values, b.values);

/** The newest source version this node holds for the key: the provenance's, else the record's own. */
function heldVersion(current: StoredRecord | undefined, prov: Provenance | undefined, nodeId: string): number {
  if (prov !== undefined && prov.nodeId === nodeId) return prov.sourceVersion;
  return current?.version ?? 0;
}

/** Writes the entry's record over `current` (conditional on its version); returns the local version. */
async function writeRecord(store: Store, e: ChangeEntry, current: StoredRecord | undefined, meta: ChangeMeta) {
  const input = { handle: e.record.handle, values: e.record.values };
  if (e.op === 'put') return (await store.put(e.key, input, { expectVersion: current?.version ?? 0 }, meta)).version;
  if (current?.deletedAt !== undefined) return current.version;
  // A delete of a key never seen here (its put predates the sender's log): keep a tombstone all the same.
  const live = current ?? (await store.put(e.key, input, { expectVersion: 0 }, meta));
  return (await store.delete(e.key, { expectVersion: live.version }, meta)).version;
}

/**
 * Applies one synced change idempotently. Already-held or older versions are not written again,
 * so resending any range after a cut is harmless. Provenance is written after the record: if the
 * process dies in between, the retry finds the record already at the entry's version and content
 * ('already-applied') and only writes the provenance, so nothing is applied twice.
 */
export async function applyEntry(store: Store, nodeId: string, e: ChangeEntry): Promise<ApplyOutcome> {
  const [current, prov] = await Promise.all([store.get(e.key), readProvenance(store, e.key)]);
  if (prov !== undefined && prov.nodeId === nodeId && prov.sourceVersion >= e.version) return 'stale';
  const provenance = (localVersion: number): Provenance => ({
    nodeId,
    seq: e.seq,
    sourceVersion: e.version,
    localVersion,
  });
  // Checked before the version test: after a crash between the record and its provenance the
  // record already holds this version, and only the provenance is still to be written.
  if (current !== undefined && current.version === e.version && sameContent(current, e.record)) {
    await writeProvenance(store, e.key, provenance(current.version));
    return 'already-applied';
  }
  if (e.version <= heldVersion(current, prov, nodeId)) return 'stale';
  // The source seq in the reason makes a double apply visible in the top-level's own change log.
  const meta = { actor: `sync:${nodeId}`, reason: `sync seq=${e.seq} version=${e.version}` };
  const localVersion = await writeRecord(store, e, current, meta);
  await writeProvenance(store, e.key, provenance(localVersion));
  return 'applied';
}
