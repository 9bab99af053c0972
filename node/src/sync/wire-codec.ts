import type { ChangeEntry as WireEntry } from '../../../proto/generated/idnode/v1/ChangeEntry.generated.ts';
import type { ChangeEntry__Output as WireEntryIn } from '../../../proto/generated/idnode/v1/ChangeEntry.generated.ts';
import type { HandleRecord__Output as WireRecordIn } from '../../../proto/generated/idnode/v1/HandleRecord.generated.ts';
import type { HandleValue as WireValue } from '../../../proto/generated/idnode/v1/HandleValue.generated.ts';
import type { HandleValue__Output as WireValueIn } from '../../../proto/generated/idnode/v1/HandleValue.generated.ts';
import type { AccessTier as WireTier } from '../../../proto/generated/idnode/v1/AccessTier.generated.ts';
import { IdnError } from '../errors/idn-error.ts';
import type { AccessTier, HandleValue, StoredRecord } from '../records/types.ts';
import type { ChangeEntry } from '../store/store.ts';

/*
 * ChangeEntry <-> idnode.v1.ChangeEntry. Value data travels as JSON text (every value the HTTP API
 * accepts is JSON), so a record round-trips exactly and the top-level copy compares equal.
 */

const TIER_TO_WIRE = {
  public: 'ACCESS_TIER_PUBLIC',
  'legitimate-interest': 'ACCESS_TIER_LEGITIMATE_INTEREST',
  authority: 'ACCESS_TIER_AUTHORITY',
} as const satisfies Record<AccessTier, WireTier>;

function tierFromWire(t: string): AccessTier {
  if (t === 'ACCESS_TIER_PUBLIC') return 'public';
  if (t === 'ACCESS_TIER_LEGITIMATE_INTEREST') return 'legitimate-interest';
  // Unknown or unspecified tiers fail closed: the most restricted one.
  return 'authority';
}

const valueToWire = (v: HandleValue): WireValue => ({
  index: v.index,
  type: v.type,
  data: { format: v.data.format, json: JSON.stringify(v.data.value ?? null) },
  ttl: v.ttl,
  timestamp: v.timestamp,
  access: TIER_TO_WIRE[v.access],
});

function dataFromWire(v: WireValueIn): HandleValue['data'] {
  const d = v.data;
  if (d === null) throw new IdnError('IDN_ERR_BAD_REQUEST', `Synced value ${v.index} has no data.`);
  if (d.payload === 'raw') return { format: d.format, value: (d.raw ?? Buffer.alloc(0)).toString('base64') };
  return { format: d.format, value: JSON.parse(d.json ?? 'null') as unknown };
}

const valueFromWire = (v: WireValueIn): HandleValue => ({
  index: v.index,
  type: v.type,
  data: dataFromWire(v),
  ttl: v.ttl,
  timestamp: v.timestamp,
  access: tierFromWire(v.access),
});

export function entryToWire(e: ChangeEntry): WireEntry {
  const r = e.record;
  return {
    seq: e.seq,
    key: e.key,
    op: e.op === 'put' ? 'CHANGE_OP_PUT' : 'CHANGE_OP_DELETE',
    version: e.version,
    previousVersion: e.previousVersion,
    actor: e.actor,
    at: e.at,
    reason: e.reason ?? '',
    record: {
      handle: r.handle,
      values: r.values.map(valueToWire),
      version: r.version,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      deletedAt: r.deletedAt ?? '',
    },
  };
}

function recordFromWire(r: WireRecordIn): StoredRecord {
  const base = {
    handle: r.handle,
    values: r.values.map(valueFromWire),
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
  return r.deletedAt === '' ? base : { ...base, deletedAt: r.deletedAt };
}

/** Throws IDN_ERR_BAD_REQUEST for an entry a conforming sender never produces. */
export function entryFromWire(w: WireEntryIn): ChangeEntry {
  if (w.record === null || (w.op !== 'CHANGE_OP_PUT' && w.op !== 'CHANGE_OP_DELETE')) {
    throw new IdnError('IDN_ERR_BAD_REQUEST', `Synced change ${w.seq} has no record or no operation.`);
  }
  const base = {
    seq: w.seq,
    key: w.key,
    op: w.op === 'CHANGE_OP_PUT' ? ('put' as const) : ('delete' as const),
    version: w.version,
    previousVersion: w.previousVersion,
    at: w.at,
    actor: w.actor,
    record: recordFromWire(w.record),
  };
  return w.reason === '' ? base : { ...base, reason: w.reason };
}
