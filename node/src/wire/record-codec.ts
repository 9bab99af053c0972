import type { AccessTier as WireTierIn } from '../../../proto/generated/idnode/v1/AccessTier.generated.ts';
import type { HandleRecord, HandleRecord__Output } from '../../../proto/generated/idnode/v1/HandleRecord.generated.ts';
import type { HandleValue as WireValue } from '../../../proto/generated/idnode/v1/HandleValue.generated.ts';
import type { HandleValue__Output } from '../../../proto/generated/idnode/v1/HandleValue.generated.ts';
import type { ValueData__Output } from '../../../proto/generated/idnode/v1/ValueData.generated.ts';
import { IdnError } from '../errors/idn-error.ts';
import { MAX_INDEX } from '../records/schema.ts';
import type { AccessTier, HandleValue, StoredRecord, ValueData } from '../records/types.ts';

/*
 * The one codec between the records model (records/types.ts) and idnode.v1 (common.proto), for
 * resolution answers (federation/wire.ts) and the sync stream (wire/change-codec.ts) alike.
 *
 * - Value data travels as JSON text: every value the node holds is a JSON value (it came in as
 *   JSON), so decode(encode(v)) deep-equals v and a synced copy compares equal to its source.
 * - Tiers fail closed: UNSPECIFIED or a tier this node does not know reads as 'authority'.
 * - Anything else a conforming peer never sends (no data, bad JSON, a tombstone with values, an
 *   index out of range) is refused with IDN_ERR_PEER_MALFORMED: never used half-decoded.
 */

export type WireTier = Exclude<WireTierIn, number | 'ACCESS_TIER_UNSPECIFIED'>;

const TIER_TO_WIRE = {
  public: 'ACCESS_TIER_PUBLIC',
  'legitimate-interest': 'ACCESS_TIER_LEGITIMATE_INTEREST',
  authority: 'ACCESS_TIER_AUTHORITY',
} as const satisfies Record<AccessTier, WireTier>;

// Names as the loader gives them (enums: String) and numbers as it passes unknown values through.
const TIER_FROM_WIRE: ReadonlyMap<unknown, AccessTier> = new Map<unknown, AccessTier>([
  ['ACCESS_TIER_PUBLIC', 'public'],
  [1, 'public'],
  ['ACCESS_TIER_LEGITIMATE_INTEREST', 'legitimate-interest'],
  [2, 'legitimate-interest'],
  ['ACCESS_TIER_AUTHORITY', 'authority'],
  [3, 'authority'],
]);

/** A stored tier outside the model (a corrupt record) goes out as AUTHORITY, not as the proto default. */
export const tierToWire = (t: AccessTier): WireTier =>
  Object.hasOwn(TIER_TO_WIRE, t) ? TIER_TO_WIRE[t] : 'ACCESS_TIER_AUTHORITY';

/** Fail closed: UNSPECIFIED, an unknown name or number (a newer peer's tier) all read as 'authority'. */
export const tierFromWire = (t: unknown): AccessTier => TIER_FROM_WIRE.get(t) ?? 'authority';

/** The refusal of a message part a conforming peer never sends; `path` names the part (for the operator). */
export function malformed(path: string, why: string): IdnError {
  return new IdnError('IDN_ERR_PEER_MALFORMED', `${path}: ${why}.`, { path });
}

export const valueToWire = (v: HandleValue): WireValue => ({
  index: v.index,
  type: v.type,
  data: { format: v.data.format, json: JSON.stringify(v.data.value ?? null) },
  ttl: v.ttl,
  timestamp: v.timestamp,
  access: tierToWire(v.access),
});

function parseJson(text: string | undefined, path: string): unknown {
  try {
    return JSON.parse(text ?? '') as unknown;
  } catch {
    throw malformed(path, 'the JSON text does not parse');
  }
}

/** Raw bytes are the text of a byte-string format; for any other format they would be a guess. */
function rawText(format: string, raw: Buffer | undefined, path: string): string {
  const bytes = raw ?? Buffer.alloc(0);
  if (format === 'base64') return bytes.toString('base64');
  if (format === 'hex') return bytes.toString('hex');
  throw malformed(path, `raw bytes for format "${format.slice(0, 32)}" (only base64 and hex)`);
}

function dataFromWire(d: ValueData__Output | null, path: string): ValueData {
  if (d === null) throw malformed(path, 'the value has no data');
  if (d.format === '') throw malformed(`${path}.format`, 'the format is empty');
  if (d.payload === 'json') return { format: d.format, value: parseJson(d.json, `${path}.json`) };
  if (d.payload === 'raw') return { format: d.format, value: rawText(d.format, d.raw, `${path}.raw`) };
  throw malformed(path, 'neither json nor raw is set');
}

/**
 * `forWriter`: the record goes on to RecordService (sync apply), whose value rules refuse a bad
 * index with the same code on every write path; the codec then checks only what it must to decode.
 */
export interface DecodeOptions {
  readonly forWriter?: boolean;
}

export function valueFromWire(v: HandleValue__Output, path = 'value', opts: DecodeOptions = {}): HandleValue {
  if (!opts.forWriter && (!Number.isInteger(v.index) || v.index < 1 || v.index > MAX_INDEX)) {
    throw malformed(`${path}.index`, `index ${v.index} is outside 1..${MAX_INDEX}`);
  }
  if (v.type === '') throw malformed(`${path}.type`, 'the type is empty');
  return {
    index: v.index,
    type: v.type,
    data: dataFromWire(v.data, `${path}.data`),
    ttl: v.ttl,
    timestamp: v.timestamp,
    access: tierFromWire(v.access),
  };
}

export const recordToWire = (r: StoredRecord): HandleRecord => ({
  handle: r.handle,
  values: r.values.map(valueToWire),
  version: r.version,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  deletedAt: r.deletedAt ?? '',
});

export function recordFromWire(
  r: HandleRecord__Output | null,
  path = 'record',
  opts: DecodeOptions = {},
): StoredRecord {
  if (r === null) throw malformed(path, 'the record is missing');
  if (r.handle === '') throw malformed(`${path}.handle`, 'the handle is empty');
  if (!Number.isSafeInteger(r.version)) throw malformed(`${path}.version`, `version ${r.version} is not exact`);
  if (r.deletedAt !== '' && r.values.length > 0) throw malformed(path, 'a tombstone carries values');
  const base = {
    handle: r.handle,
    values: r.values.map((v, i) => valueFromWire(v, `${path}.values[${i}]`, opts)),
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
  return r.deletedAt === '' ? base : { ...base, deletedAt: r.deletedAt };
}
