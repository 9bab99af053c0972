import type { ChangeEntry as WireEntry } from '../../../proto/generated/idnode/v1/ChangeEntry.generated.ts';
import type { ChangeEntry__Output as WireEntryIn } from '../../../proto/generated/idnode/v1/ChangeEntry.generated.ts';
import type { ChangeEntry, ChangeOp } from '../store/store.ts';
import { malformed, recordFromWire, recordToWire } from './record-codec.ts';

/*
 * ChangeEntry (store/store.ts) <-> idnode.v1.ChangeEntry (sync.proto), over the record codec. An
 * entry whose parts contradict each other (a put of a tombstone, a version that is not the
 * record's) is refused: applied as sent, it would revive or bury an identifier on the top-level.
 */

const OP_TO_WIRE = { put: 'CHANGE_OP_PUT', delete: 'CHANGE_OP_DELETE' } as const satisfies Record<ChangeOp, string>;

const OP_FROM_WIRE: ReadonlyMap<unknown, ChangeOp> = new Map<unknown, ChangeOp>([
  ['CHANGE_OP_PUT', 'put'],
  ['CHANGE_OP_DELETE', 'delete'],
]);

export const entryToWire = (e: ChangeEntry): WireEntry => ({
  seq: e.seq,
  key: e.key,
  op: OP_TO_WIRE[e.op],
  version: e.version,
  previousVersion: e.previousVersion,
  record: recordToWire(e.record),
  actor: e.actor,
  at: e.at,
  reason: e.reason ?? '',
});

/** Throws IDN_ERR_PEER_MALFORMED for an entry a conforming sender never produces. */
export function entryFromWire(w: WireEntryIn): ChangeEntry {
  const path = `change ${w.seq}`;
  if (!Number.isSafeInteger(w.seq) || w.seq < 1) throw malformed(path, 'the seq is not a positive integer');
  if (w.key === '') throw malformed(path, 'the key is empty');
  const op = OP_FROM_WIRE.get(w.op);
  // UNSPECIFIED or an operation this node does not know: guessing either way could lose a delete.
  if (op === undefined) throw malformed(path, `unknown operation ${String(w.op)}`);
  // The entry is applied through RecordService: value rules are its to judge, with their own codes.
  const record = recordFromWire(w.record, `${path}.record`, { forWriter: true });
  if ((op === 'delete') !== (record.deletedAt !== undefined)) {
    throw malformed(path, op === 'delete' ? 'a delete without a tombstone' : 'a put of a tombstone');
  }
  if (w.version !== record.version) throw malformed(path, `version ${w.version} is not the record's`);
  const base = {
    seq: w.seq,
    key: w.key,
    op,
    version: w.version,
    previousVersion: w.previousVersion,
    at: w.at,
    actor: w.actor,
    record,
  };
  return w.reason === '' ? base : { ...base, reason: w.reason };
}
