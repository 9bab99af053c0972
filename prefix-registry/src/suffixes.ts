import { hash } from 'node:crypto';
import { IdnError, isIdnError } from '#core/errors/idn-error';
import type { ErrorCode } from '#core/errors/codes';
import { parseIdentifier, parsePrefix, type ParsedIdentifier } from '#core/identifier/index';
import type {
  BatchResult,
  ChangeBatch,
  IdentifierChange,
  PlannedChange,
  SystemRecordChange,
} from '#core/records/change-set';
import type { ValueInput } from '#core/records/schema';
import { isLive } from '#core/records/types';
import type { ReadonlyStore } from '#core/store/store';
import { BatchResults, type StoredLine } from './batch-results.ts';
import { Idempotency, keyDigest, type IdempotencyCheck, type IdempotencyOptions } from './idempotency.ts';
import { keyOf, lostRace, naHandleOf, requestHash } from './registry-records.ts';

/**
 * Suffix registration under an allocated prefix, in chunks (the batch route's transactions). A
 * chunk is planned line by line (a bad line fails alone with its code), its good lines become ONE
 * ChangeBatch the node applies in one commit (RecordService.applyEach: every value rule, default
 * HS_ADMIN, metrics, metadata schemas, as for PUT), and its results are read from what that commit
 * did. Idempotency: a batch sent with a key stores, in the same commit, one record per chunk naming
 * every line it created (position, line hash, version), so a re-send after a crash replays exactly
 * the lines that were stored and writes the rest; a line with its own key gets its own record.
 */

export type { ValueInput };

export interface SuffixItem {
  readonly suffix: string;
  readonly values: readonly ValueInput[];
  /** The line's own idempotency key (its own result record); else the batch's key applies. */
  readonly idempotencyKey?: string;
}

export interface BatchLine {
  /** The line's place in the batch (non-empty lines, from 0): what a re-sent line is matched by. */
  readonly position: number;
  readonly item: SuffixItem;
  /** lineHash() of the line as sent: a re-sent position with another line is a conflict. */
  readonly hash: string;
}

export type ItemResult =
  | {
      readonly position: number;
      readonly ok: true;
      readonly handle: string;
      readonly version: number;
      readonly replayed: boolean;
    }
  | {
      readonly position: number;
      readonly ok: false;
      readonly suffix: string;
      readonly code: ErrorCode;
      readonly message: string;
    };

/** Applies a chunk's batch (the node passes `b => records.applyEach(b, principal)`). */
export type ApplyBatch = (batch: ChangeBatch) => Promise<BatchResult>;

/** A short hash of a line: enough to tell a re-sent line from a changed one. */
export const lineHash = (text: string): string => hash('sha256', text, 'base64url').slice(0, 22);

const REASON = 'register suffix';
/** A chunk whose result record keeps losing races (the same batch sent twice at once) fails after this. */
const MAX_PLANS = 3;

export class SuffixRegistry {
  readonly #store: ReadonlyStore;
  readonly #idem: Idempotency;

  constructor(store: ReadonlyStore, opts: IdempotencyOptions = {}) {
    this.#store = store;
    this.#idem = new Idempotency(store, opts);
  }

  /**
   * Starts a batch under `prefix` (IDN_ERR_PREFIX_NOT_FOUND up front). With `idempotencyKey`, the
   * results an earlier send of this batch stored are found by position; without one, nothing is
   * recorded for replays (lines with their own key still are).
   */
  async openBatch(prefixText: string, opts: { readonly idempotencyKey?: string } = {}): Promise<SuffixBatch> {
    const p = parsePrefix(prefixText, 'text');
    if (!isLive(await this.#store.get(keyOf(naHandleOf(p.prefix))))) {
      throw new IdnError('IDN_ERR_PREFIX_NOT_FOUND', `Prefix ${p.prefix} does not exist here.`);
    }
    const results =
      opts.idempotencyKey === undefined
        ? undefined
        : await BatchResults.open(this.#store, this.#idem, `BATCH/${p.prefixKey}/${keyDigest(opts.idempotencyKey)}`);
    return new SuffixBatch(p.prefix, p.prefixKey, this.#idem, results);
  }
}

interface Pending {
  readonly line: number;
  readonly own?: Extract<IdempotencyCheck<StoredLineResult>, { replayed: false }>;
}
type StoredLineResult = { readonly handle: string; readonly version: number };
type OwnKey = { readonly check: IdempotencyCheck<StoredLineResult> } | { readonly error: unknown };

export class SuffixBatch {
  readonly prefix: string;
  readonly #prefixKey: string;
  readonly #idem: Idempotency;
  readonly #results: BatchResults | undefined;

  constructor(prefix: string, prefixKey: string, idem: Idempotency, results: BatchResults | undefined) {
    this.prefix = prefix;
    this.#prefixKey = prefixKey;
    this.#idem = idem;
    this.#results = results;
  }

  /**
   * Registers one chunk of lines (ascending positions) through `apply`: one commit for all its
   * good lines and its result record. Never rejects: every failure is a line's result, in order.
   */
  async register(lines: readonly BatchLine[], apply: ApplyBatch): Promise<ItemResult[]> {
    for (let attempt = 1; ; attempt++) {
      let plan: ChunkPlan | undefined;
      try {
        plan = await this.plan(lines);
        if (plan.batch.changes.length === 0) return plan.results({ outcomes: [], system: [] });
        return plan.results(await apply(plan.batch));
      } catch (e) {
        // The same batch sent twice at once: the other send stored this chunk's record first.
        const raced = lostRace(e) && isIdnError(e) && typeof e.detail?.system === 'number';
        if (raced && attempt < MAX_PLANS && this.#results !== undefined) {
          await this.#results.refresh();
          continue;
        }
        return plan === undefined ? lines.map((l) => failure(l.position, l.item, e)) : plan.failed(e);
      }
    }
  }

  /** Decides what each line of a chunk does before anything is written. */
  async plan(lines: readonly BatchLine[]): Promise<ChunkPlan> {
    const decided: (ItemResult | undefined)[] = [];
    const ids: (ParsedIdentifier | undefined)[] = lines.map((l, i) => {
      try {
        return parseIdentifier(`${this.prefix}/${l.item.suffix}`, 'text');
      } catch (e) {
        decided[i] = failure(l.position, l.item, e);
        return undefined;
      }
    });
    // The whole chunk's span: a record of the same span from an earlier send is then loaded too.
    const stored =
      this.#results === undefined || lines.length === 0
        ? new Map<number, StoredLine>()
        : await this.#results.lookup(lines[0]!.position, lines[lines.length - 1]!.position);
    const own = await Promise.all(lines.map((l, i) => this.#ownKey(l, ids[i])));
    const changes: IdentifierChange[] = [];
    const pending: Pending[] = [];
    lines.forEach((l, i) => {
      const id = ids[i];
      const o = own[i];
      if (id === undefined) return;
      if (o !== undefined && 'error' in o) {
        decided[i] = failure(l.position, l.item, o.error);
        return;
      }
      const replay = o === undefined ? this.#replay(l, id, stored.get(l.position)) : ownReplay(l, o.check);
      if (replay !== undefined) {
        decided[i] = replay;
        return;
      }
      changes.push({ op: 'create', id, values: l.item.values });
      pending.push(o === undefined || o.check.replayed ? { line: i } : { line: i, own: o.check });
    });
    const systemFor = (planned: readonly (PlannedChange | undefined)[]) => this.#systemFor(lines, pending, planned);
    return new ChunkPlan(lines, decided, pending, { changes, systemFor, reason: REASON });
  }

  /** A line with its own key: its result record, looked up as single registrations always were. */
  async #ownKey(l: BatchLine, id: ParsedIdentifier | undefined): Promise<OwnKey | undefined> {
    if (l.item.idempotencyKey === undefined || id === undefined) return undefined;
    const body = requestHash({ handle: id.key, values: [...l.item.values].sort((a, b) => a.index - b.index) });
    try {
      return {
        check: await this.#idem.check<StoredLineResult>(`SUFFIX/${this.#prefixKey}`, l.item.idempotencyKey, body),
      };
    } catch (e) {
      return { error: e };
    }
  }

  #replay(l: BatchLine, id: ParsedIdentifier, s: StoredLine | undefined): ItemResult | undefined {
    if (s === undefined) return undefined;
    if (s.hash !== l.hash) return failure(l.position, l.item, new IdnError('IDN_ERR_IDEMPOTENCY_CONFLICT'));
    return { position: l.position, ok: true, handle: id.handle, version: s.version, replayed: true };
  }

  #systemFor(
    lines: readonly BatchLine[],
    pending: readonly Pending[],
    planned: readonly (PlannedChange | undefined)[],
  ): SystemRecordChange[] {
    const out: SystemRecordChange[] = [];
    const created: StoredLine[] = [];
    pending.forEach((p, ci) => {
      const c = planned[ci];
      if (c === undefined) return;
      if (p.own !== undefined) out.push(p.own.record({ handle: c.handle, version: c.version }));
      else created.push({ position: lines[p.line]!.position, hash: lines[p.line]!.hash, version: c.version });
    });
    if (created.length > 0 && this.#results !== undefined) {
      out.unshift(this.#results.recordFor(lines[0]!.position, lines[lines.length - 1]!.position, created));
    }
    return out;
  }
}

function ownReplay(l: BatchLine, check: IdempotencyCheck<StoredLineResult>): ItemResult | undefined {
  if (!check.replayed) return undefined;
  return { position: l.position, ok: true, handle: check.result.handle, version: check.result.version, replayed: true };
}

/** One chunk decided: the batch to apply, and how to read each line's result from what it did. */
export class ChunkPlan {
  readonly batch: ChangeBatch;
  readonly #lines: readonly BatchLine[];
  readonly #decided: readonly (ItemResult | undefined)[];
  readonly #pending: readonly Pending[];

  constructor(
    lines: readonly BatchLine[],
    decided: readonly (ItemResult | undefined)[],
    pending: readonly Pending[],
    batch: ChangeBatch,
  ) {
    this.#lines = lines;
    this.#decided = decided;
    this.#pending = pending;
    this.batch = batch;
  }

  /** Each line's result, in line order, from the applied batch. */
  results(applied: BatchResult): ItemResult[] {
    const out = [...this.#decided];
    this.#pending.forEach((p, ci) => {
      const l = this.#lines[p.line]!;
      const o = applied.outcomes[ci];
      out[p.line] =
        o === undefined
          ? failure(l.position, l.item, new IdnError('IDN_ERR_INTERNAL'))
          : o.ok
            ? {
                position: l.position,
                ok: true,
                handle: o.applied.record.handle,
                version: o.applied.version,
                replayed: false,
              }
            : failure(l.position, l.item, o.error);
    });
    return out.map(
      (r, i) => r ?? failure(this.#lines[i]!.position, this.#lines[i]!.item, new IdnError('IDN_ERR_INTERNAL')),
    );
  }

  /** Each line's result when the chunk's commit failed as a whole: every undecided line fails with it. */
  failed(e: unknown): ItemResult[] {
    return this.#lines.map((l, i) => this.#decided[i] ?? failure(l.position, l.item, e));
  }
}

function failure(position: number, item: SuffixItem, e: unknown): ItemResult {
  if (!isIdnError(e)) return { position, ok: false, suffix: item.suffix, code: 'IDN_ERR_INTERNAL', message: String(e) };
  // A tombstoned suffix is never issued again: report it as gone, not merely "exists".
  const gone = e.code === 'IDN_ERR_ALREADY_EXISTS' && e.detail?.deleted === true;
  const code: ErrorCode = gone ? 'IDN_ERR_GONE' : e.code;
  return {
    position,
    ok: false,
    suffix: item.suffix,
    code,
    message: gone ? 'The suffix was deleted; it is never reused.' : e.message,
  };
}
