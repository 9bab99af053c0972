import { ANONYMOUS, type Reader, type ReaderResolver } from '../access/reader.ts';
import type { AuditLog, ReadAudit } from '../audit/audit-log.ts';
import { auditRead } from '../audit/audit-read.ts';
import { IdnError, isIdnError } from '../errors/idn-error.ts';
import { parseIdentifier } from '../identifier/index.ts';
import type { AccessTier, HandleValue, StoredRecord } from '../records/types.ts';
import {
  errorAnswer,
  type AnswerRequest,
  type FoundAnswer,
  type ReaderCredentials,
  type ResolvedAnswer,
  type SourcedProvenance,
  type Want,
} from './answer.ts';
import type { Next, Outcome } from './outcome.ts';
import { RenderMemo } from './render-memo.ts';
import { derivedRecord } from './stages/template.ts';
import { walkUp, withVia } from './stages/walk-up.ts';
import { filterValues, isFiltered, selectValues, shownValues } from './value-filter.ts';

/**
 * The finalise phase (Knot Resolver's answer_finalize): runs once per answer after the stages,
 * whichever stage answered (cache, store, upstream, a template, a walk-up). Here and only here:
 * the reader and its tier, tier filtering and secret redaction, index and type filters, walk-up
 * for a wanted type the record lacks, the audit line, provenance and cache facts.
 */
export interface FinaliseDeps {
  readonly readers: ReaderResolver;
  readonly audit: AuditLog;
  /** The driver's sub-lookup (order.ts): ancestors of a walk-up, below the cache and the metrics. */
  readonly subLookup: Next;
}

export interface FinaliseInput {
  readonly request: AnswerRequest;
  readonly credentials: ReaderCredentials;
  readonly want: Want;
}

type Found = Outcome & { kind: 'found' };

const MAX_AGE = 86_400;

export async function finalise(outcome: Outcome, input: FinaliseInput, deps: FinaliseDeps): Promise<ResolvedAnswer> {
  if (outcome.kind !== 'found') return finaliseOther(outcome, input.request.id);
  try {
    return await finaliseFound(outcome, input, deps);
  } catch (e) {
    return refused(e, input.request.id);
  }
}

/**
 * finalise in this tick, for what needs no promise: an anonymous reader (no credential to check)
 * and no type filter (no walk-up of a wanted type). Undefined for anything else: use finalise.
 */
export function finaliseNow(outcome: Outcome, input: FinaliseInput, deps: FinaliseDeps): ResolvedAnswer | undefined {
  if (outcome.kind !== 'found') return finaliseOther(outcome, input.request.id);
  if (!canFinaliseNow(input)) return undefined;
  try {
    return foundAnswer(outcome, ANONYMOUS, input, deps);
  } catch (e) {
    return refused(e, input.request.id);
  }
}

/** Whether finaliseNow answers a found outcome for this input. */
export const canFinaliseNow = (input: Pick<FinaliseInput, 'credentials' | 'want'>): boolean =>
  input.credentials.authorization === undefined && input.want.types.length === 0;

/** A refused credential, a failed sub-lookup: an answer too, never a thrown error. */
const refused = (e: unknown, id: AnswerRequest['id']): ResolvedAnswer =>
  errorAnswer(isIdnError(e) ? e : new IdnError('IDN_ERR_INTERNAL', undefined, { cause: String(e) }), id);

function finaliseOther(outcome: Exclude<Outcome, { kind: 'found' }>, id: AnswerRequest['id']): ResolvedAnswer {
  switch (outcome.kind) {
    case 'not-found': {
      const provenance = provenanceOf(outcome);
      const cache = { hit: isHit(outcome.source) };
      if (outcome.gone === undefined)
        return {
          kind: 'not-found',
          id,
          provenance,
          cache,
          ...(outcome.memo === undefined ? {} : { memo: outcome.memo }),
        };
      return { kind: 'gone', id, provenance, cache, record: { ...outcome.gone, values: [] } };
    }
    case 'referral':
      return {
        kind: 'referral',
        id,
        provenance: { source: 'none', authoritative: false },
        cache: { hit: false },
        prefix: outcome.prefix,
        target: outcome.target,
        ...(outcome.nodeId === undefined ? {} : { nodeId: outcome.nodeId }),
      };
    case 'error':
      return errorAnswer(outcome.error, id);
  }
}

const isHit = (source: string): boolean => source === 'cache' || source === 'stale';

function provenanceOf(o: Found | (Outcome & { kind: 'not-found' })): SourcedProvenance {
  const p: SourcedProvenance = { source: o.source, authoritative: o.authoritative !== false };
  if (o.kind !== 'found' || o.resolvedVia === undefined) return p;
  return { ...p, resolvedVia: o.resolvedVia, ...(o.answeredBy === undefined ? {} : { answeredBy: o.answeredBy }) };
}

async function finaliseFound(asked: Found, input: FinaliseInput, deps: FinaliseDeps): Promise<FoundAnswer> {
  const { want } = input;
  const auth = input.credentials.authorization;
  // Anonymous readers (the common scan) cost no promise work.
  const reader =
    auth === undefined
      ? ANONYMOUS
      : await deps.readers.readerFor(auth, asked.record, want.publicOnly, input.credentials.client);
  const lacksType = want.types.length > 0 && selectValues(asked.record, reader.tier, want).length === 0;
  const found = lacksType ? await walkUpForTypes(deps.subLookup, asked, reader.tier, input) : asked;
  return foundAnswer(found, reader, input, deps);
}

/** The answer of a found record for this reader, once the reader is known and any walk-up is done. */
function foundAnswer(found: Found, reader: Reader, input: FinaliseInput, deps: FinaliseDeps): FoundAnswer {
  const { want, request } = input;
  const tier = reader.tier;
  const filtered = isFiltered(want);
  const record = visibleRecord(found, tier);
  const values = filterValues(record.values, want);
  const provenance = provenanceOf(found);
  const levels = visibleLevels(found, tier);
  const audit = tier === 'public' ? undefined : auditOf(deps, reader, record, values, request, provenance);
  if (tier !== 'public') for (const l of levels) auditLevel(deps, reader, l, request);
  return {
    kind: 'found',
    id: request.id,
    provenance,
    record,
    values,
    filtered,
    ...(filtered && values.length === 0 ? { valuesMissing: new IdnError('IDN_ERR_VALUES_NOT_FOUND') } : {}),
    reader,
    tier,
    memo: found.memo,
    levels,
    cache: { hit: isHit(found.source), shared: tier === 'public' && !want.trace, maxAge: maxAge(values) },
    ...(audit === undefined ? {} : { audit }),
    ...(found.relayedSignature === undefined ? {} : { relayedSignature: found.relayedSignature }),
  };
}

/** The audit line of a disclosure of non-public values (auditRead writes nothing for public ones). */
function auditOf(
  deps: FinaliseDeps,
  reader: Reader,
  record: StoredRecord,
  values: readonly HandleValue[],
  request: AnswerRequest,
  p: SourcedProvenance,
): ReadAudit | undefined {
  return auditRead(deps, reader, record, values, {
    route: request.route,
    identifier: request.id.handle,
    ...(p.resolvedVia === undefined ? {} : { resolvedVia: p.resolvedVia, answeredBy: p.answeredBy }),
  });
}

/** A GS1 level's non-public values shown to this reader are a disclosure of that record too. */
function auditLevel(deps: FinaliseDeps, reader: Reader, level: StoredRecord, request: AnswerRequest): void {
  auditRead(deps, reader, level, level.values, {
    route: request.route,
    identifier: request.id.handle,
    resolvedVia: 'gs1-level',
    answeredBy: level.handle,
  });
}

const NO_LEVELS: readonly StoredRecord[] = [];

/** The GS1 levels above the answer as this reader may see them (kept with the answer, like the record). */
function visibleLevels(found: Found, tier: AccessTier): readonly StoredRecord[] {
  const levels = found.levels;
  if (levels === undefined || levels.length === 0) return NO_LEVELS;
  return found.memo.get(`levels:${tier}`, () =>
    levels.map((r) => {
      const values = shownValues(r.values, tier);
      return values === r.values ? r : { ...r, values };
    }),
  );
}

const VISIBLE_KEY: Record<AccessTier, string> = {
  public: 'visible:public',
  'legitimate-interest': 'visible:legitimate-interest',
  authority: 'visible:authority',
};

/** The record with the values a reader of `tier` may see; kept with the answer, so a cache hit builds nothing. */
function visibleRecord(found: Found, tier: AccessTier): StoredRecord {
  return found.memo.get(VISIBLE_KEY[tier], () => {
    const values = shownValues(found.record.values, tier);
    return values === found.record.values ? found.record : { ...found.record, values };
  });
}

/** The shortest TTL among the values shown (a day at most). */
function maxAge(values: readonly HandleValue[]): number {
  let m = MAX_AGE;
  for (const v of values) if (v.ttl < m) m = v.ttl;
  return m;
}

/**
 * Asked for a type the record lacks (or does not show this reader): walk up to the batch, model
 * or enterprise record that has it, when the enterprise configured walk-up (WALKUP, BATCH, MODEL).
 * The ancestors are sub-lookups of this one resolution.
 */
async function walkUpForTypes(subLookup: Next, found: Found, tier: AccessTier, input: FinaliseInput): Promise<Found> {
  if (found.resolvedVia !== undefined && found.resolvedVia !== 'template') return found;
  const id = parseIdentifier(found.record.handle, 'text');
  const hit = await walkUp(withVia(subLookup, input.request.via), id, {
    item: found.record,
    accept: (r) => selectValues(r, tier, input.want).length > 0,
  });
  if (hit === undefined) return found;
  const record = derivedRecord(id, hit.record);
  // The levels of the item itself no longer describe what answers: a type lookup shows one record.
  const { levels: _levels, relayedSignature: _signed, ...rest } = found;
  return { ...rest, record, memo: new RenderMemo(), resolvedVia: hit.level, answeredBy: hit.record.handle };
}
