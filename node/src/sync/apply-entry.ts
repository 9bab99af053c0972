import { isDeepStrictEqual } from 'node:util';
import { IdnError } from '../errors/idn-error.ts';
import { parseIdentifier } from '../identifier/index.ts';
import type { IdentifierChange } from '../records/change-set.ts';
import type { ValueInput } from '../records/schema.ts';
import type { HandleValue, StoredRecord } from '../records/types.ts';
import type { ChangeEntry } from '../store/store.ts';
import type { SystemPrincipal } from '../write/principal.ts';
import type { RecordService } from '../write/record-service.ts';
import { provenanceChange, readProvenance, type Provenance } from './sync-records.ts';

export type ApplyOutcome = 'applied' | 'already-applied' | 'stale';

const sameContent = (a: StoredRecord, b: StoredRecord): boolean =>
  (a.deletedAt === undefined) === (b.deletedAt === undefined) && isDeepStrictEqual(a.values, b.values);

/** The newest source version this node holds for the key: the provenance's, else the record's own. */
function heldVersion(current: StoredRecord | undefined, prov: Provenance | undefined, nodeId: string): number {
  if (prov !== undefined && prov.nodeId === nodeId) return prov.sourceVersion;
  return current?.version ?? 0;
}

/** The identifier the entry names; its key must be the one it travels under. */
function identifierOf(e: ChangeEntry) {
  const id = parseIdentifier(e.record.handle, 'text');
  if (id.key !== e.key) {
    throw new IdnError('IDN_ERR_BAD_REQUEST', `Synced change ${e.seq} names ${e.record.handle} under key ${e.key}.`);
  }
  return id;
}

/**
 * Stored values are the input of a copy. (The cast only bridges the schema's static type, whose
 * `access` union TypeBox infers too narrowly; RecordService checks the shape of every value.)
 */
const asInput = (values: readonly HandleValue[]): readonly ValueInput[] => values as unknown as readonly ValueInput[];

/**
 * The changes that make the copy equal the entry. Pinned to the version read (ifMatch): a local
 * write in between (takeover) fails the batch, which is resent and judged again.
 */
function changesFor(e: ChangeEntry, current: StoredRecord | undefined): IdentifierChange[] {
  const id = identifierOf(e);
  const ifMatch = current?.version ?? 0;
  const valuesPath = `seq ${e.seq} values`;
  if (e.op === 'put') return [{ op: 'replace', id, values: asInput(e.record.values), ifMatch, valuesPath }];
  if (current?.deletedAt !== undefined) return [];
  if (current !== undefined) return [{ op: 'delete', id, ifMatch }];
  // A delete of a key never seen here (its put predates the sender's log): keep a tombstone all
  // the same, so the suffix is never reused here either.
  return [
    { op: 'create', id, values: asInput(e.record.values), ifMatch, valuesPath },
    { op: 'delete', id },
  ];
}

/**
 * Applies one synced change idempotently through RecordService, as `who` (sync:<node>): every
 * value rule applies, and the provenance record is written in the same commit as the record, so
 * the two are never seen apart. Already-held or older versions are not written again, so resending
 * any range after a cut is harmless. Throws the service's IdnError when the change is refused.
 */
export async function applyEntry(
  records: RecordService,
  who: SystemPrincipal,
  nodeId: string,
  e: ChangeEntry,
): Promise<ApplyOutcome> {
  const store = records.store;
  const [current, prov] = await Promise.all([store.get(e.key), readProvenance(store, e.key)]);
  if (prov !== undefined && prov.nodeId === nodeId && prov.sourceVersion >= e.version) return 'stale';
  const provenance = (localVersion: number) =>
    provenanceChange(e.key, { nodeId, seq: e.seq, sourceVersion: e.version, localVersion });
  // A copy stored before this node wrote provenance with it (older releases wrote the two apart):
  // only the provenance is still to be written.
  if (current !== undefined && current.version === e.version && sameContent(current, e.record)) {
    await records.apply({ changes: [], system: [provenance(current.version)] }, who);
    return 'already-applied';
  }
  if (e.version <= heldVersion(current, prov, nodeId)) return 'stale';
  const changes = changesFor(e, current);
  // The source seq in the reason makes a double apply visible in the top-level's own change log.
  const reason = `sync seq=${e.seq} version=${e.version}`;
  if (changes.length === 0) {
    await records.apply({ changes: [], system: [provenance(current!.version)] }, who);
    return 'applied';
  }
  await records.apply({ changes, reason, systemFor: (planned) => [provenance(planned.at(-1)!.version)] }, who);
  return 'applied';
}
