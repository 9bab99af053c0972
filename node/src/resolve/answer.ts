import type { Reader } from '../access/reader.ts';
import type { ReadAudit } from '../audit/audit-log.ts';
import type { IdnError } from '../errors/idn-error.ts';
import type { ParsedIdentifier } from '../identifier/index.ts';
import type { AccessTier, HandleValue, StoredRecord } from '../records/types.ts';
import type { DerivedVia, Outcome, Source } from './outcome.ts';
import type { RelayedSignature } from '../records/outcome.ts';
import type { RenderMemo } from './render-memo.ts';
import type { TraceSpan } from './trace.ts';
import type { ValueFilter } from './value-filter.ts';

/**
 * What ResolutionService.answer returns: one typed answer per request, everything a transport
 * renders (values, tier, provenance, cache and audit facts), so that no transport decides any of it.
 */

/** What the transport asks for, beyond the identifier. */
export interface Want extends ValueFilter {
  /** Handle's publicOnly: the public view, whoever asks. */
  readonly publicOnly: boolean;
  /** Handle's auth=true: an authoritative answer, bypassing caches (rate limited where the service has a budget). */
  readonly authoritative: boolean;
  /** Record each stage and hop to another node (answer.trace). */
  readonly trace: boolean;
}

export const WANT_RECORD: Want = { indexes: [], types: [], publicOnly: false, authoritative: false, trace: false };

export interface AnswerRequest {
  readonly id: ParsedIdentifier;
  /** The transport asking, as the audit trail names it: 'api', 'qr', 'peer'. */
  readonly route: string;
  /** Loop guard of requests forwarded between nodes: node ids the request already passed. */
  readonly via?: readonly string[];
}

/** What the caller presented; the service decides the reader (and tier) against the record that answers. */
export interface ReaderCredentials {
  /** The Authorization header: Basic or idn1 token (admins), Bearer JWT (passport credential). */
  readonly authorization?: string | undefined;
  /** The caller's address, for the wrong-secret backoff (set only when authorization is). */
  readonly client?: string | undefined;
}

export const NO_CREDENTIALS: ReaderCredentials = {};

/** Where a value came from: a stage's source, or 'none' when no source answered (errors, referrals). */
export type AnswerSource = Source | 'none';

export interface Provenance {
  readonly source: AnswerSource;
  /**
   * True when the answer is the responsible node's own (from its store, its cache of it, or
   * relayed from it). False for an emergency-takeover answer (a synced copy on the top-level node)
   * and for every error and referral: they assert nothing about the identifier.
   */
  readonly authoritative: boolean;
  /** Set when no exact record answered: a template, or the walk-up to a batch, model or enterprise record. */
  readonly resolvedVia?: DerivedVia;
  /** The handle of the record that answered a derived answer. */
  readonly answeredBy?: string;
}

/** Provenance of an answer that came from a source (found, not found, gone). */
export type SourcedProvenance = Provenance & { readonly source: Source };

export interface CacheFacts {
  /** Served by this node's resolution cache (source 'cache' or 'stale'). */
  readonly hit: boolean;
}

export interface FoundCacheFacts extends CacheFacts {
  /** Shared caches may keep it: answers for the public tier only, never traced ones. */
  readonly shared: boolean;
  /** Seconds the answer stays valid: the shortest TTL among the values shown (at most a day). */
  readonly maxAge: number;
}

interface AnswerBase {
  /** The identifier asked for; absent when the request never got that far (it did not parse). */
  readonly id: ParsedIdentifier | undefined;
  readonly provenance: Provenance;
  readonly cache: CacheFacts;
  /** Each stage and hop, when the want asked for a trace. */
  readonly trace?: readonly TraceSpan[];
}

export interface FoundAnswer extends AnswerBase {
  readonly kind: 'found';
  readonly provenance: SourcedProvenance;
  /** The answer as this reader may see it: handle, version and times, the values of its tier (secrets redacted). */
  readonly record: StoredRecord;
  /** What was asked for: `record.values` narrowed by the index and type filters. */
  readonly values: readonly HandleValue[];
  /** Whether index or type filters applied (renderings of a filtered answer are not kept). */
  readonly filtered: boolean;
  /** Set when the filters matched nothing: the error table's IDN_ERR_VALUES_NOT_FOUND decides the codes. */
  readonly valuesMissing?: IdnError;
  readonly reader: Reader;
  readonly tier: AccessTier;
  /** Renderings kept with the answer: a cached answer serialises once per tier. */
  readonly memo: RenderMemo;
  /**
   * The GS1 levels above the answering record, nearest first, up to the primary key (a serial's
   * lot, then its GTIN), each as this reader may see it; empty for other identifiers.
   */
  readonly levels: readonly StoredRecord[];
  readonly cache: FoundCacheFacts;
  /** The audit line written for this disclosure (non-public values shown), if any. */
  readonly audit?: ReadAudit;
  /** The homing node's signature of its canonical JSON answer, when this one came from upstream (ADR 0011). */
  readonly relayedSignature?: RelayedSignature;
}

export interface NotFoundAnswer extends AnswerBase {
  readonly kind: 'not-found';
  readonly provenance: SourcedProvenance;
  /** Present on a cached "not found": its renderings are built once (http/render). */
  readonly memo?: RenderMemo;
}

export interface GoneAnswer extends AnswerBase {
  readonly kind: 'gone';
  readonly provenance: SourcedProvenance;
  /** The tombstone: handle, version, times and deletedAt, no values. */
  readonly record: StoredRecord;
}

export interface ReferralAnswer extends AnswerBase {
  readonly kind: 'referral';
  readonly prefix: string;
  /** The gRPC address of the node to ask, and its identity (checked against its certificate). */
  readonly target: string;
  readonly nodeId?: string;
}

export interface ErrorAnswer extends AnswerBase {
  readonly kind: 'error';
  readonly error: IdnError;
}

export type ResolvedAnswer = FoundAnswer | NotFoundAnswer | GoneAnswer | ReferralAnswer | ErrorAnswer;

export const NO_SOURCE: Provenance = { source: 'none', authoritative: false };
const NO_CACHE: CacheFacts = { hit: false };

/** An answer refused before or instead of a resolution (bad input, rate limit, loop, failure). */
export function errorAnswer(error: IdnError, id?: ParsedIdentifier, trace?: readonly TraceSpan[]): ErrorAnswer {
  return { kind: 'error', error, id, provenance: NO_SOURCE, cache: NO_CACHE, ...(trace ? { trace } : {}) };
}

const authoritativeFlag = (p: Provenance): { authoritative?: false } =>
  p.authoritative ? {} : { authoritative: false };

/** The answer as a chain outcome, for transports that forward it to another node (federation/wire.ts encodes outcomes). */
export function answerToOutcome(a: ResolvedAnswer): Outcome {
  const p = a.provenance;
  switch (a.kind) {
    case 'found':
      return {
        kind: 'found',
        record: a.record,
        source: a.provenance.source,
        memo: a.memo,
        ...authoritativeFlag(p),
        ...(p.resolvedVia === undefined ? {} : { resolvedVia: p.resolvedVia }),
        ...(p.answeredBy === undefined ? {} : { answeredBy: p.answeredBy }),
        ...(a.relayedSignature === undefined ? {} : { relayedSignature: a.relayedSignature }),
      };
    case 'not-found':
      return { kind: 'not-found', source: a.provenance.source, ...authoritativeFlag(p) };
    case 'gone':
      return { kind: 'not-found', gone: a.record, source: a.provenance.source, ...authoritativeFlag(p) };
    case 'referral':
      return {
        kind: 'referral',
        prefix: a.prefix,
        target: a.target,
        ...(a.nodeId === undefined ? {} : { nodeId: a.nodeId }),
      };
    case 'error':
      return { kind: 'error', error: a.error };
  }
}
