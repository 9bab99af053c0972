import type { StoredRecord } from '../records/types.ts';
import type { ReadonlyStore } from '../store/store.ts';

/**
 * The records as one change set sees them while it is planned: the store, overlaid with what the
 * set's earlier changes will write, so a later change to the same identifier (or under a prefix
 * record the set creates) is judged against the state it will really meet in the commit.
 */
export class RecordView {
  readonly #store: ReadonlyStore;
  readonly #overlay = new Map<string, StoredRecord | undefined>();

  constructor(store: ReadonlyStore) {
    this.#store = store;
  }

  /**
   * Reads many keys at once before planning walks them in order: one store call where the store
   * offers getMany (a bulk chunk's thousands of keys), else one get per key in parallel.
   */
  async load(keys: readonly string[]): Promise<void> {
    const missing = [...new Set(keys)].filter((k) => !this.#overlay.has(k));
    if (missing.length === 0) return;
    const records =
      this.#store.getMany === undefined
        ? await Promise.all(missing.map((k) => this.#store.get(k)))
        : await this.#store.getMany(missing);
    missing.forEach((k, i) => this.#overlay.set(k, records[i]));
  }

  async get(key: string): Promise<StoredRecord | undefined> {
    if (this.#overlay.has(key)) return this.#overlay.get(key);
    const record = await this.#store.get(key);
    this.#overlay.set(key, record);
    return record;
  }

  set(key: string, record: StoredRecord): void {
    this.#overlay.set(key, record);
  }
}
