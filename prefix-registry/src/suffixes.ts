import { IdnError, isIdnError } from '../../node/src/errors/idn-error.ts';
import type { ErrorCode } from '../../node/src/errors/codes.ts';
import { parseIdentifier, parsePrefix } from '../../node/src/identifier/index.ts';
import { ACCESS_TIERS, isLive, type AccessTier, type HandleValue } from '../../node/src/records/types.ts';
import type { Store } from '../../node/src/store/store.ts';
import { Idempotency } from './idempotency.ts';
import { keyOf, naHandleOf, requestHash } from './registry-records.ts';

/**
 * Suffix registration under an allocated prefix. A batch is an async iterable in and an async
 * iterable of per-item results out, with a fixed window of items in flight: memory does not grow
 * with the batch, items fail one by one (never all-or-nothing), and results come back in input
 * order. Each item has an idempotency key (its own, or the batch key plus its position), so
 * replaying a batch after a cut re-reports stored results instead of failing on "exists".
 */

export interface ValueInput {
  readonly index: number;
  readonly type: string;
  readonly data: { readonly format: string; readonly value: unknown };
  readonly ttl?: number;
  readonly access?: AccessTier;
}

export interface SuffixItem {
  readonly suffix: string;
  readonly values: readonly ValueInput[];
  readonly idempotencyKey?: string;
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

export interface BatchOptions {
  readonly actor: string;
  /** Items without their own key use `${idempotencyKey}#${position}`. */
  readonly idempotencyKey: string;
  /** Items in flight at once (default 256): bounds memory and lets LMDB batch commits. */
  readonly concurrency?: number;
}

const MAX_INDEX = 2 ** 31 - 1;

export class SuffixRegistry {
  readonly #store: Store;
  readonly #idem: Idempotency;

  constructor(store: Store, idem?: Idempotency) {
    this.#store = store;
    this.#idem = idem ?? new Idempotency(store);
  }

  /** Registers one suffix; throws the coded error instead of returning it. */
  async register(prefix: string, item: SuffixItem, opts: Omit<BatchOptions, 'concurrency'>): Promise<ItemResult> {
    await this.#checkPrefix(prefix);
    return this.#item(prefix, { ...item, idempotencyKey: item.idempotencyKey ?? opts.idempotencyKey }, 0, opts.actor);
  }

  async *registerBatch(
    prefix: string,
    items: AsyncIterable<SuffixItem> | Iterable<SuffixItem>,
    opts: BatchOptions,
  ): AsyncGenerator<ItemResult> {
    await this.#checkPrefix(prefix);
    const window = opts.concurrency ?? 256;
    const inFlight: Promise<ItemResult>[] = [];
    let position = 0;
    for await (const item of items) {
      const key = item.idempotencyKey ?? `${opts.idempotencyKey}#${position}`;
      // #item never rejects: every failure becomes that item's result.
      inFlight.push(this.#item(prefix, { ...item, idempotencyKey: key }, position++, opts.actor));
      // Yield the oldest result once the window is full: input order out, at most `window` held.
      if (inFlight.length >= window) yield await inFlight.shift()!;
    }
    while (inFlight.length > 0) yield await inFlight.shift()!;
  }

  async #checkPrefix(prefix: string): Promise<void> {
    const p = parsePrefix(prefix, 'text');
    if (!isLive(await this.#store.get(keyOf(naHandleOf(p.prefix))))) {
      throw new IdnError('IDN_ERR_PREFIX_NOT_FOUND', `Prefix ${p.prefix} does not exist here.`);
    }
  }

  async #item(
    prefix: string,
    item: SuffixItem & { idempotencyKey: string },
    position: number,
    actor: string,
  ): Promise<ItemResult> {
    try {
      const id = parseIdentifier(`${prefix}/${item.suffix}`, 'text');
      const values = checkValues(item.values);
      const body = requestHash({ handle: id.key, values });
      const run = async () => {
        const now = new Date().toISOString();
        const stored = values.map((v): HandleValue => ({ ttl: 86_400, access: 'public', ...v, timestamp: now }));
        const record = await this.#store.put(
          id.key,
          { handle: id.handle, values: stored },
          { expectAbsent: true },
          { actor, reason: 'register suffix' },
        );
        return { handle: record.handle, version: record.version };
      };
      const { result, replayed } = await this.#idem.run(`SUFFIX/${id.prefixKey}`, item.idempotencyKey, body, run);
      return { position, ok: true, ...result, replayed };
    } catch (e) {
      return failure(position, item, e);
    }
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

function checkValues(values: readonly ValueInput[]): ValueInput[] {
  const seen = new Set<number>();
  for (const v of values) {
    if (!Number.isInteger(v.index) || v.index < 1 || v.index > MAX_INDEX || seen.has(v.index)) {
      throw new IdnError(
        seen.has(v.index) ? 'IDN_ERR_DUPLICATE_INDEX' : 'IDN_ERR_INVALID_VALUE',
        `Bad value index ${v.index}.`,
      );
    }
    if (typeof v.type !== 'string' || v.type.length === 0 || typeof v.data?.format !== 'string') {
      throw new IdnError('IDN_ERR_INVALID_VALUE', `Value ${v.index} needs a type and data.format.`);
    }
    if (v.access !== undefined && !ACCESS_TIERS.includes(v.access)) {
      throw new IdnError('IDN_ERR_INVALID_VALUE', `Value ${v.index} has an unknown access tier.`);
    }
    seen.add(v.index);
  }
  return [...values].sort((a, b) => a.index - b.index);
}
