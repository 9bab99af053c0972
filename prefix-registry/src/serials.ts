import { IdnError } from '#core/errors/idn-error';
import { parseIdentifier, parsePrefix } from '#core/identifier/index';
import { isLive } from '#core/records/types';
import type { AllocatedRange, ReadonlyStore } from '#core/store/store';
import { Idempotency, resultOf } from './idempotency.ts';
import { decide, type ApplySet, type Planned } from './plan.ts';
import { keyOf, naHandleOf, requestHash } from './registry-records.ts';

/**
 * Serial suffixes (`SN-000000123`) reserved in blocks: one counter bump per call, in the same
 * commit as the call's idempotency result, so concurrent calls get disjoint ranges, a number is
 * never handed out twice, and a retry with the key after a crash gets the range the first call
 * reserved (or, if that call's commit never happened, a fresh one). Allocation reserves
 * suffixes; the owner then registers records for them (SuffixRegistry), possibly much later.
 */

export interface SerialOptions {
  readonly idempotencyKey: string;
  /** One `{n}` or `{n:W}` (zero-padded to W digits) placeholder, e.g. "SN-{n:9}". Default "{n}". */
  readonly pattern?: string;
}

export interface SerialRange {
  readonly prefix: string;
  readonly pattern: string;
  readonly first: number;
  readonly last: number;
  readonly count: number;
  readonly replayed: boolean;
}

const PLACEHOLDER = /\{n(?::(\d{1,2}))?\}/g;

/** Renders serial number n with a pattern. */
export function renderSerial(pattern: string, n: number): string {
  return pattern.replace(PLACEHOLDER, (_, width?: string) => String(n).padStart(Number(width ?? 0), '0'));
}

/** All suffixes of a range, lazily: a million-number range costs no memory until iterated. */
export function* serialSuffixes(range: Pick<SerialRange, 'pattern' | 'first' | 'last'>): Generator<string> {
  for (let n = range.first; n <= range.last; n++) yield renderSerial(range.pattern, n);
}

export class SerialAllocator {
  readonly #store: ReadonlyStore;
  readonly #idem: Idempotency;

  constructor(store: ReadonlyStore, idem?: Idempotency) {
    this.#store = store;
    this.#idem = idem ?? new Idempotency(store);
  }

  /**
   * Plans a reservation: a replay of the key's range, or a change set whose one commit reserves
   * the range and stores it as the key's result (so a crash can lose both, never one of them).
   */
  async plan(prefixText: string, count: number, opts: SerialOptions): Promise<Planned<SerialRange>> {
    const prefix = parsePrefix(prefixText, 'text');
    const pattern = checkPattern(prefix.prefix, opts.pattern ?? '{n}');
    if (!isLive(await this.#store.get(keyOf(naHandleOf(prefix.prefix))))) {
      throw new IdnError('IDN_ERR_PREFIX_NOT_FOUND', `Prefix ${prefix.prefix} does not exist here.`);
    }
    // One counter per prefix and pattern: numbers are unique within what a pattern renders.
    const counter = `serial/${prefix.prefixKey}/${pattern}`;
    const body = requestHash({ prefix: prefix.prefixKey, pattern, count });
    const idem = await this.#idem.check<Omit<SerialRange, 'replayed'>>(
      `SERIAL/${prefix.prefixKey}`,
      opts.idempotencyKey,
      body,
    );
    if (idem.replayed) return { done: { ...idem.result, replayed: true } };
    const result = ({ first, last }: AllocatedRange) => ({ prefix: prefix.prefix, pattern, first, last, count });
    const set = { changes: [], system: [idem.recordAllocation(counter, count, result)], reason: 'allocate serials' };
    return {
      set,
      finish: (applied) => ({ ...resultOf<Omit<SerialRange, 'replayed'>>(applied.system[0]), replayed: false }),
    };
  }

  /** Plans and applies (through `apply`, the node's RecordService) in one go. */
  allocateSerials(prefixText: string, count: number, opts: SerialOptions, apply: ApplySet): Promise<SerialRange> {
    return decide(() => this.plan(prefixText, count, opts), apply);
  }
}

function checkPattern(prefix: string, pattern: string): string {
  const holes = pattern.match(PLACEHOLDER)?.length ?? 0;
  if (holes !== 1) throw new IdnError('IDN_ERR_BAD_REQUEST', 'The pattern needs exactly one {n} or {n:W} placeholder.');
  // The parser decides whether what the pattern renders is a valid suffix.
  parseIdentifier(`${prefix}/${renderSerial(pattern, 1)}`, 'text');
  return pattern;
}
