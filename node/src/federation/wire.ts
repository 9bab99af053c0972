import { isIdnError } from '../errors/idn-error.ts';
import type { StoredRecord } from '../records/types.ts';
import type { DerivedVia, Outcome } from '../resolve/outcome.ts';
import type { RelayedSignature } from '../records/outcome.ts';
import { RenderMemo } from '../records/render-memo.ts';
import { errorFromWire, errorToWire } from '../wire/error-codec.ts';
import { malformed, recordFromWire, recordToWire } from '../wire/record-codec.ts';
import type {
  ResolveResponse,
  ResolveResponse__Output,
} from '../../../proto/generated/idnode/v1/ResolveResponse.generated.ts';

/**
 * Resolution outcomes <-> idnode.v1.ResolveResponse. Records, values, tiers and errors go through
 * the one codec in node/src/wire/ (shared with the sync stream); re-exported here under the names
 * the gRPC services have always imported.
 */
export { errorFromWire, errorToWire, recordFromWire, recordToWire };

/** What the answering node adds from its own configuration. */
export interface AnswerHints {
  /** Seconds this node lets a "not found" / "gone" answer be believed (its negative-cache time). */
  readonly negativeTtlSeconds?: number;
}

// A Record, so a new DerivedVia fails to compile here until the wire knows it.
const DERIVED_VIA: Readonly<Record<DerivedVia, true>> = { template: true, batch: true, model: true, enterprise: true };
const isDerivedVia = (s: string): s is DerivedVia => Object.hasOwn(DERIVED_VIA, s);

/** Only public values leave the node: the asking node's cache is shared by all its readers. */
const publicOnly = (r: StoredRecord): StoredRecord => ({ ...r, values: r.values.filter((v) => v.access === 'public') });

/** The least of the given seconds as a whole-second wire hint: 0 means "no hint", so a real 0 goes as 1. */
function ttlHint(...seconds: (number | undefined)[]): number {
  const known = seconds.filter((s): s is number => s !== undefined);
  return known.length === 0 ? 0 : Math.max(1, Math.ceil(Math.min(...known)));
}

/** Of every value (not only the public ones sent): the record changes at the pace of its shortest-lived value. */
const foundTtl = (o: Outcome & { kind: 'found' }): number => ttlHint(...o.record.values.map((v) => v.ttl), o.cacheTtl);

const negativeTtl = (o: Outcome & { kind: 'not-found' }, hints: AnswerHints): number =>
  ttlHint(hints.negativeTtlSeconds, o.cacheTtl);

export function outcomeToWire(
  o: Outcome,
  requestId: string,
  servedBy: string,
  hints: AnswerHints = {},
): ResolveResponse {
  const base = { requestId, servedBy };
  switch (o.kind) {
    case 'found':
      return {
        ...base,
        status: 'RESOLVE_STATUS_FOUND',
        record: recordToWire(publicOnly(o.record)),
        authoritative: o.authoritative !== false,
        ttl: foundTtl(o),
        ...(o.resolvedVia === undefined ? {} : { resolvedVia: o.resolvedVia, answeredBy: o.answeredBy ?? '' }),
        ...(o.relayedSignature === undefined ? {} : { signedJson: o.relayedSignature }),
      };
    case 'not-found':
      return {
        ...base,
        status: o.gone === undefined ? 'RESOLVE_STATUS_NOT_FOUND' : 'RESOLVE_STATUS_GONE',
        ...(o.gone === undefined ? {} : { record: recordToWire({ ...o.gone, values: [] }) }),
        authoritative: o.authoritative !== false,
        negativeTtl: negativeTtl(o, hints),
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

const cacheTtlOf = (seconds: number): { cacheTtl?: number } => (seconds > 0 ? { cacheTtl: seconds } : {});

/** resolved_via and answered_by come together, and only with a via this node knows (else: refused). */
function derivation(r: ResolveResponse__Output, at: string): { resolvedVia?: DerivedVia; answeredBy?: string } {
  if (r.resolvedVia === '' && r.answeredBy === '') return {};
  if (!isDerivedVia(r.resolvedVia)) throw malformed(`${at}.resolved_via`, `unknown "${r.resolvedVia.slice(0, 32)}"`);
  if (r.answeredBy === '') throw malformed(`${at}.answered_by`, 'a derived answer without the record that answered');
  return { resolvedVia: r.resolvedVia, answeredBy: r.answeredBy };
}

/** Printable ASCII, bounded: anything else is not a signature field this node will write as a header. */
const fieldOk = (s: string): boolean => s.length > 0 && s.length <= 2048 && /^[\x20-\x7e]*$/.test(s);

/** A relayed signature is only evidence for the reader who checks it: one that cannot be a header is dropped. */
function relayedOf(r: ResolveResponse__Output): RelayedSignature | undefined {
  const s = r.signedJson;
  if (s === null || ![s.contentDigest, s.signatureInput, s.signature].every(fieldOk)) return undefined;
  return { contentDigest: s.contentDigest, signatureInput: s.signatureInput, signature: s.signature };
}

function decode(r: ResolveResponse__Output, at: string): Outcome {
  const source = 'upstream' as const;
  switch (r.status) {
    case 'RESOLVE_STATUS_FOUND': {
      const record = recordFromWire(r.record, `${at}.record`);
      if (record.deletedAt !== undefined) throw malformed(`${at}.record`, 'a found answer carries a tombstone');
      const memo = new RenderMemo();
      const authoritative = r.authoritative;
      const signed = relayedOf(r);
      return {
        kind: 'found',
        record,
        source,
        memo,
        authoritative,
        ...derivation(r, at),
        ...cacheTtlOf(r.ttl),
        ...(signed === undefined ? {} : { relayedSignature: signed }),
      };
    }
    case 'RESOLVE_STATUS_NOT_FOUND':
      return { kind: 'not-found', source, authoritative: r.authoritative, ...cacheTtlOf(r.negativeTtl) };
    case 'RESOLVE_STATUS_GONE': {
      const gone = recordFromWire(r.record, `${at}.record`);
      if (gone.deletedAt === undefined) throw malformed(`${at}.record`, 'a gone answer without a tombstone');
      return { kind: 'not-found', gone, source, authoritative: r.authoritative, ...cacheTtlOf(r.negativeTtl) };
    }
    case 'RESOLVE_STATUS_REFERRAL': {
      const ref = r.referral;
      if (ref === null || ref.grpcAddress === '' || ref.prefix === '') {
        throw malformed(`${at}.referral`, 'a referral without a prefix and an address');
      }
      return { kind: 'referral', prefix: ref.prefix, target: ref.grpcAddress, nodeId: ref.nodeId || undefined };
    }
    case 'RESOLVE_STATUS_ERROR':
      return { kind: 'error', error: errorFromWire(r.error, `${at}.error`) };
    case 'RESOLVE_STATUS_UNSPECIFIED':
    default:
      // Unset, or a status of a newer peer this node cannot act on (the loader passes it as a number).
      throw malformed(`${at}.status`, `unknown status ${String(r.status)}`);
  }
}

/** An answer from another node, as this node's outcome (source 'upstream'); never throws. */
export function outcomeFromWire(r: ResolveResponse__Output): Outcome {
  try {
    return decode(r, `answer of ${r.servedBy || 'a peer'}`);
  } catch (e) {
    if (isIdnError(e)) return { kind: 'error', error: e };
    return { kind: 'error', error: malformed(`answer of ${r.servedBy || 'a peer'}`, 'it does not decode') };
  }
}
