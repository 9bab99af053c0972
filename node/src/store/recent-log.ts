import type { ChangeEntry } from './store.ts';

/** Bulk-import chunks in flight (2,000 lines each, up to 3 per request) and a margin: enough for the audit and the sync sender to follow. */
export const RECENT_LOG_CAPACITY = 8_192;

/**
 * The change-log entries this process committed last, as the objects it wrote. The readers that
 * follow the log right behind its commits (the change audit, the sync sender) then get them
 * without decoding what was just encoded (for a bulk import: as much work as the commit itself).
 * Only durable entries are added (after the commit resolved); a page is served from here only when
 * every seq it must hold is here, so a reader sees exactly what the store would answer.
 */
export class RecentLog {
  readonly #bySeq = new Map<number, ChangeEntry>();
  readonly #capacity: number;

  constructor(capacity = RECENT_LOG_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Entries held (at most the capacity): the soak checks the bound holds (idnode_store_recent_log_entries). */
  get size(): number {
    return this.#bySeq.size;
  }

  /** Entries of one durable commit, in seq order. */
  add(entries: readonly ChangeEntry[]): void {
    for (const e of entries) this.#bySeq.set(e.seq, e);
    let over = this.#bySeq.size - this.#capacity;
    if (over <= 0) return;
    for (const seq of this.#bySeq.keys()) {
      this.#bySeq.delete(seq);
      if (--over === 0) break;
    }
  }

  /**
   * The entries with seq in (afterSeq, min(afterSeq + limit, lastSeq)], if every one is here;
   * undefined when any is missing (another writer's, or evicted): read the store then.
   */
  page(afterSeq: number, limit: number, lastSeq: number): ChangeEntry[] | undefined {
    const until = Math.min(afterSeq + limit, lastSeq);
    const out: ChangeEntry[] = [];
    for (let seq = afterSeq + 1; seq <= until; seq++) {
      const e = this.#bySeq.get(seq);
      if (e === undefined) return undefined;
      out.push(e);
    }
    return out;
  }

  clear(): void {
    this.#bySeq.clear();
  }
}
