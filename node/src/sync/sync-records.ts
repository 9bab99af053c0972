import type { SystemRecordChange } from '../records/change-set.ts';
import type { HandleValue, StoredRecord } from '../records/types.ts';
import type { ReadonlyStore } from '../store/store.ts';
import { cursorKey, provenanceKey } from './sync-keys.ts';

/*
 * The receiver's bookkeeping is system records (under 0.sync/) with one authority-only value
 * each, so it is durable, in the top-level's change log, and never shown to anonymous readers.
 * They are written as SystemRecordChanges through RecordService: a provenance record in the same
 * commit as the synced record it describes, the cursor in a commit of its own after a batch.
 */

const STATE_INDEX = 1;
const STATE_TYPE = 'IDNODE_SYNC';

/** Per node: everything up to `appliedThrough` is applied (or deliberately skipped / refused). */
export interface SyncCursor {
  readonly appliedThrough: number;
  readonly refused: number;
  /** The latest refused entry and why (its IdnError code), for an operator to look at. */
  readonly lastRefused?: { readonly seq: number; readonly key: string; readonly code?: string };
}

/** Per synced key: which node it came from, at which source seq and version, and the local version it became. */
export interface Provenance {
  readonly nodeId: string;
  readonly seq: number;
  readonly sourceVersion: number;
  readonly localVersion: number;
}

function stateValue(value: unknown): HandleValue {
  return {
    index: STATE_INDEX,
    type: STATE_TYPE,
    data: { format: 'json', value },
    ttl: 0,
    timestamp: new Date().toISOString(),
    access: 'authority',
  };
}

function stateOf<T>(record: StoredRecord | undefined): T | undefined {
  if (record === undefined || record.deletedAt !== undefined) return undefined;
  const v = record.values.find((x) => x.type === STATE_TYPE);
  return v?.data.value as T | undefined;
}

/**
 * Unconditional: only the receiver writes these keys, serialised per node (cursor) and per key
 * (provenance: a key belongs to one node's delegation), under the service's key locks.
 */
const stateChange = (
  purpose: SystemRecordChange['purpose'],
  key: string,
  value: unknown,
  reason: string,
): SystemRecordChange => ({
  purpose,
  key,
  record: { handle: key.toUpperCase(), values: [stateValue(value)] },
  cond: undefined,
  // Its own reason, so the top-level's log names each synced seq once (on the record's entry).
  reason,
});

export async function readCursor(store: ReadonlyStore, nodeId: string): Promise<SyncCursor> {
  return stateOf<SyncCursor>(await store.get(cursorKey(nodeId))) ?? { appliedThrough: 0, refused: 0 };
}

export const cursorChange = (nodeId: string, c: SyncCursor): SystemRecordChange =>
  stateChange('sync-cursor', cursorKey(nodeId), c, `sync cursor appliedThrough=${c.appliedThrough}`);

export async function readProvenance(store: ReadonlyStore, key: string): Promise<Provenance | undefined> {
  return stateOf<Provenance>(await store.get(provenanceKey(key)));
}

export const provenanceChange = (key: string, p: Provenance): SystemRecordChange =>
  stateChange('sync-provenance', provenanceKey(key), p, `sync provenance of seq ${p.seq}`);

/**
 * The node a record on this (top-level) node is a synced copy of, or undefined for an own record.
 * A copy the top-level has since changed itself (e.g. during an emergency takeover) no longer
 * counts as synced: its version moved past the one the sync wrote.
 */
export async function syncedFrom(store: ReadonlyStore, key: string): Promise<string | undefined> {
  const [record, prov] = await Promise.all([store.get(key), readProvenance(store, key)]);
  if (record === undefined || prov === undefined) return undefined;
  return record.version === prov.localVersion ? prov.nodeId : undefined;
}
