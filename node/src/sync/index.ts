/**
 * Upward sync (secondary -> top-level) over idnode.v1 Sync.Push.
 *
 * Top-level: `createSyncMount({ records, nodeIdOf, allowedPrefixes })` returns a GrpcMount adding the
 * Sync service; every synced change is applied through RecordService by `syncPrincipal(node)`.
 * Secondary: `startSyncSender({ store, connect, nodeId, registry?, changes? })`: it only reads its
 * change log (the cursor lives on the top-level), so `store` is a ReadonlyStore.
 *
 * Provenance for the takeover rule: `syncedFrom(store, key)` says which node a record on the
 * top-level is a synced copy of (undefined for the top-level's own records, and for a copy the
 * top-level has since changed itself).
 */
export { createSyncMount, nodeIdFromMetadata, NODE_ID_METADATA } from './sync-receiver.ts';
export type { SyncMount, SyncReceiverDeps } from './sync-receiver.ts';
export { startSyncSender } from './sync-sender.ts';
export type { SyncSender, SyncSenderDeps, SyncSenderStatus } from './sync-sender.ts';
export { readCursor, readProvenance, syncedFrom } from './sync-records.ts';
export type { Provenance, SyncCursor } from './sync-records.ts';
export { classifyKey, cursorKey, provenanceKey } from './sync-keys.ts';
export type { KeyDecision } from './sync-keys.ts';
export type { BatchResult, RefusedEntry } from './apply-batch.ts';
export { syncPrincipal } from './sync-principal.ts';
