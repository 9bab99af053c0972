import type { HandleValue, StoredRecord } from '../records/types.ts';
import type { Store } from '../store/store.ts';
import { cursorKey, provenanceKey } from './sync-keys.ts';

/*
 * The receiver's bookkeeping is ordinary records with one authority-only value each, so it is
 * durable, in the top-level's change log, and never shown to anonymous readers.
 */

const STATE_INDEX = 1;
const STATE_TYPE = 'IDNODE_SYNC';

/** Per node: everything up to `appliedThrough` is applied (or deliberately skipped / refused). */
export interface SyncCursor {
  readonly appliedThrough: number;
  readonly refused: number;
  readonly lastRefused?: { readonly seq: number; readonly key: string };
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

const putState = async (store: Store, key: string, value: unknown, actor: string): Promise<void> => {
  // Unconditional: only the receiver (serialised per node) writes these keys.
  await store.put(key, { handle: key.toUpperCase(), values: [stateValue(value)] }, undefined, { actor });
};

export async function readCursor(store: Store, nodeId: string): Promise<SyncCursor> {
  return stateOf<SyncCursor>(await store.get(cursorKey(nodeId))) ?? { appliedThrough: 0, refused: 0 };
}

export const writeCursor = (store: Store, nodeId: string, c: SyncCursor): Promise<void> =>
  putState(store, cursorKey(nodeId), c, `sync:${nodeId}`);

export async function readProvenance(store: Store, key: string): Promise<Provenance | undefined> {
  return stateOf<Provenance>(await store.get(provenanceKey(key)));
}

export const writeProvenance = (store: Store, key: string, p: Provenance): Promise<void> =>
  putState(store, provenanceKey(key), p, `sync:${p.nodeId}`);

/**
 * The node a record on this (top-level) node is a synced copy of, or undefined for an own record.
 * A copy the top-level has since changed itself (e.g. during an emergency takeover) no longer
 * counts as synced: its version moved past the one the sync wrote.
 */
export async function syncedFrom(store: Store, key: string): Promise<string | undefined> {
  const [record, prov] = await Promise.all([store.get(key), readProvenance(store, key)]);
  if (record === undefined || prov === undefined) return undefined;
  return record.version === prov.localVersion ? prov.nodeId : undefined;
}
