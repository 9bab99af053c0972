import type { SystemRecordChange } from '#core/records/change-set';
import type { StoredRecord } from '#core/records/types';
import type { ReadonlyStore } from '#core/store/store';
import type { Idempotency } from './idempotency.ts';
import { REG_PREFIX, condFor, keyOf, readState, stateRecord } from './registry-records.ts';

/**
 * The idempotency results of one keyed batch: one record per committed chunk,
 * `0.REG/IDEM/BATCH/<prefix>/<key digest>/<first>-<last>` (positions, zero-padded so they list in
 * order), naming each line the chunk created: [position, line hash, version]. One record per
 * chunk, written in the chunk's own commit, instead of one per line: the results cost a few bytes
 * per line, not a second record and change-log entry each. A re-send lists the records once and
 * reads each only when its positions come up, so memory stays bounded by one chunk or two.
 */

export interface StoredLine {
  readonly position: number;
  readonly hash: string;
  readonly version: number;
}

interface ChunkState {
  readonly expiresAt: string;
  readonly lines: readonly (readonly [number, string, number])[];
}

interface Range {
  readonly key: string;
  readonly first: number;
  readonly last: number;
}

interface Loaded {
  readonly record: StoredRecord | undefined;
  /** Empty when the record expired: its lines are registered anew (and fail as existing). */
  readonly lines: ReadonlyMap<number, StoredLine>;
}

const PAD = 10;
const RANGE = /\/(\d{10})-(\d{10})$/;
const rangeName = (first: number, last: number): string =>
  `${String(first).padStart(PAD, '0')}-${String(last).padStart(PAD, '0')}`;

export class BatchResults {
  readonly #store: ReadonlyStore;
  readonly #idem: Idempotency;
  readonly #base: string;
  readonly #listPrefix: string;
  #ranges: Range[] = [];
  readonly #loaded = new Map<string, Loaded>();

  private constructor(store: ReadonlyStore, idem: Idempotency, scope: string) {
    this.#store = store;
    this.#idem = idem;
    this.#base = `${REG_PREFIX}/IDEM/${scope}`;
    this.#listPrefix = `${keyOf(this.#base)}/`;
  }

  static async open(store: ReadonlyStore, idem: Idempotency, scope: string): Promise<BatchResults> {
    const r = new BatchResults(store, idem, scope);
    await r.refresh();
    return r;
  }

  /** Re-reads which chunk records exist (another send of the batch may have stored some). */
  async refresh(): Promise<void> {
    const ranges: Range[] = [];
    let after: string | undefined;
    do {
      const page = await this.#store.list(this.#listPrefix, { limit: 1000, ...(after === undefined ? {} : { after }) });
      for (const key of page.keys) {
        const m = RANGE.exec(key);
        if (m) ranges.push({ key, first: Number(m[1]), last: Number(m[2]) });
      }
      after = page.next;
    } while (after !== undefined);
    this.#ranges = ranges.sort((a, b) => a.first - b.first);
    this.#loaded.clear();
  }

  /** The stored lines with positions in [first, last]; records of earlier positions are let go. */
  async lookup(first: number, last: number): Promise<Map<number, StoredLine>> {
    const out = new Map<number, StoredLine>();
    for (const r of this.#ranges) {
      if (r.last < first) this.#loaded.delete(r.key);
      if (r.last < first || r.first > last) continue;
      const loaded = await this.#load(r);
      for (const l of loaded.lines.values()) if (l.position >= first && l.position <= last) out.set(l.position, l);
    }
    return out;
  }

  /**
   * The result record of the chunk spanning [first, last], naming the lines it creates. A record
   * of the same span from an earlier send (lookup() read it) keeps its lines and is replaced at
   * the version read.
   */
  recordFor(first: number, last: number, created: readonly StoredLine[]): SystemRecordChange {
    const handle = `${this.#base}/${rangeName(first, last)}`;
    const key = keyOf(handle);
    const earlier = this.#loaded.get(key);
    const lines = [...(earlier?.lines.values() ?? []), ...created];
    const state: ChunkState = {
      expiresAt: this.#idem.expiresAt(),
      lines: lines.map((l) => [l.position, l.hash, l.version] as const),
    };
    return {
      purpose: 'idempotency-result',
      key,
      record: stateRecord(handle, state),
      cond: condFor(earlier?.record),
      reason: 'idempotency BATCH',
    };
  }

  async #load(r: Range): Promise<Loaded> {
    const cached = this.#loaded.get(r.key);
    if (cached !== undefined) return cached;
    const record = await this.#store.get(r.key);
    const state = readState<ChunkState>(record);
    const live = state !== undefined && !this.#idem.expired(state.expiresAt);
    const lines = new Map<number, StoredLine>();
    if (live) for (const [position, hash, version] of state.lines) lines.set(position, { position, hash, version });
    const loaded = { record, lines };
    this.#loaded.set(r.key, loaded);
    return loaded;
  }
}
