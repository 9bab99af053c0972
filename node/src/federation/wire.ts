import { ERRORS, type ErrorCode } from '../errors/codes.ts';
import { IdnError } from '../errors/idn-error.ts';
import type { AccessTier, HandleValue, StoredRecord } from '../records/types.ts';
import type { Outcome } from '../resolve/outcome.ts';
import { RenderMemo } from '../resolve/render-memo.ts';
import type { ErrorDetail, ErrorDetail__Output } from '../../../proto/generated/idnode/v1/ErrorDetail.generated.ts';
import type { HandleRecord, HandleRecord__Output } from '../../../proto/generated/idnode/v1/HandleRecord.generated.ts';
import type { HandleValue__Output } from '../../../proto/generated/idnode/v1/HandleValue.generated.ts';
import type {
  ResolveResponse,
  ResolveResponse__Output,
} from '../../../proto/generated/idnode/v1/ResolveResponse.generated.ts';

/** Conversions between the store's records / resolution outcomes and idnode.v1 messages. */

const TIER_TO_WIRE = {
  public: 'ACCESS_TIER_PUBLIC',
  'legitimate-interest': 'ACCESS_TIER_LEGITIMATE_INTEREST',
  authority: 'ACCESS_TIER_AUTHORITY',
} as const;

function tierFromWire(t: string): AccessTier {
  if (t === 'ACCESS_TIER_AUTHORITY') return 'authority';
  if (t === 'ACCESS_TIER_LEGITIMATE_INTEREST') return 'legitimate-interest';
  return 'public';
}

export function recordToWire(r: StoredRecord): HandleRecord {
  return {
    handle: r.handle,
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    deletedAt: r.deletedAt ?? '',
    values: r.values.map((v) => ({
      index: v.index,
      type: v.type,
      ttl: v.ttl,
      timestamp: v.timestamp,
      access: TIER_TO_WIRE[v.access],
      data: { format: v.data.format, json: JSON.stringify(v.data.value) },
    })),
  };
}

function valueFromWire(v: HandleValue__Output): HandleValue {
  const d = v.data;
  const value: unknown =
    d?.payload === 'raw' ? Buffer.from(d.raw ?? []).toString('base64') : JSON.parse(d?.json ?? 'null');
  return {
    index: v.index,
    type: v.type,
    ttl: v.ttl,
    timestamp: v.timestamp,
    access: tierFromWire(v.access),
    data: { format: d?.format ?? 'string', value },
  };
}

export function recordFromWire(r: HandleRecord__Output): StoredRecord {
  const base = {
    handle: r.handle,
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    values: r.values.map(valueFromWire),
  };
  return r.deletedAt === '' ? base : { ...base, deletedAt: r.deletedAt };
}

export function errorToWire(e: IdnError): ErrorDetail {
  return {
    code: e.code,
    handleRc: e.spec.rc,
    message: e.message,
    detailJson: e.detail === undefined ? '' : JSON.stringify(e.detail),
  };
}

export function errorFromWire(e: ErrorDetail__Output | null): IdnError {
  const code = (e !== null && e.code in ERRORS ? e.code : 'IDN_ERR_INTERNAL') as ErrorCode;
  const detail = e?.detailJson ? (JSON.parse(e.detailJson) as Record<string, unknown>) : undefined;
  return new IdnError(code, e?.message || undefined, detail);
}

/** Only public values leave the node: the asking node's cache is shared by all its readers. */
const publicOnly = (r: StoredRecord): StoredRecord => ({ ...r, values: r.values.filter((v) => v.access === 'public') });

const minTtl = (r: StoredRecord): number => r.values.reduce((m, v) => Math.min(m, v.ttl), 86_400);

export function outcomeToWire(o: Outcome, requestId: string, servedBy: string): ResolveResponse {
  const base = { requestId, servedBy };
  switch (o.kind) {
    case 'found':
      return {
        ...base,
        status: 'RESOLVE_STATUS_FOUND',
        record: recordToWire(publicOnly(o.record)),
        authoritative: o.authoritative !== false,
        ttl: minTtl(o.record),
      };
    case 'not-found':
      return o.gone === undefined
        ? { ...base, status: 'RESOLVE_STATUS_NOT_FOUND', authoritative: o.authoritative !== false }
        : {
            ...base,
            status: 'RESOLVE_STATUS_GONE',
            record: recordToWire({ ...o.gone, values: [] }),
            authoritative: o.authoritative !== false,
          };
    case 'referral':
      return {
        ...base,
        status: 'RESOLVE_STATUS_REFERRAL',
        referral: { nodeId: o.nodeId ?? '', grpcAddress: o.target, prefix: o.prefix },
      };
    case 'error':
      return { ...base, status: 'RESOLVE_STATUS_ERROR', error: errorToWire(o.error) };
  }
}

/** An answer from another node, as this node's outcome: source 'upstream'. */
export function outcomeFromWire(r: ResolveResponse__Output): Outcome {
  switch (r.status) {
    case 'RESOLVE_STATUS_FOUND':
      if (r.record === null) break;
      return {
        kind: 'found',
        record: recordFromWire(r.record),
        source: 'upstream',
        memo: new RenderMemo(),
        authoritative: r.authoritative,
      };
    case 'RESOLVE_STATUS_NOT_FOUND':
      return { kind: 'not-found', source: 'upstream', authoritative: r.authoritative };
    case 'RESOLVE_STATUS_GONE':
      if (r.record === null) break;
      return { kind: 'not-found', gone: recordFromWire(r.record), source: 'upstream', authoritative: r.authoritative };
    case 'RESOLVE_STATUS_REFERRAL':
      if (r.referral === null) break;
      return {
        kind: 'referral',
        prefix: r.referral.prefix,
        target: r.referral.grpcAddress,
        nodeId: r.referral.nodeId || undefined,
      };
    case 'RESOLVE_STATUS_ERROR':
      return { kind: 'error', error: errorFromWire(r.error) };
    case 'RESOLVE_STATUS_UNSPECIFIED':
      break;
  }
  return { kind: 'error', error: new IdnError('IDN_ERR_INTERNAL', `Malformed answer from ${r.servedBy || 'a peer'}.`) };
}
