import type { ReadonlyStore } from '../../src/store/store.ts';

/**
 * What the node acknowledged during the crash rounds, and the checks run against the store after
 * every crash: each acknowledged put is there (at least at its version), each acknowledged delete
 * is a tombstone, the change log is gap-free from 1 and its last entry per key is the record's
 * state, and the serial ranges handed out never overlap.
 */
export class CrashLedger {
  /** key (lower case) -> highest acknowledged version of a put. */
  readonly puts = new Map<string, number>();
  /** key -> version of the acknowledged tombstone. */
  readonly deletes = new Map<string, number>();
  /** Batch line answers per idempotency key: position -> version. */
  readonly batches = new Map<string, Map<number, number>>();
  /** Serial results per idempotency key. */
  readonly serials = new Map<string, { first: number; last: number }>();
  readonly problems: string[] = [];

  ackPut(key: string, version: number): void {
    this.puts.set(key, Math.max(version, this.puts.get(key) ?? 0));
  }

  /** A batch line answer; a line acknowledged before must replay with its version. */
  batchLine(batchKey: string, position: number, a: { ok: boolean; version?: number; replayed?: boolean }): void {
    const lines = this.batches.get(batchKey) ?? new Map<number, number>();
    this.batches.set(batchKey, lines);
    const before = lines.get(position);
    if (before !== undefined && !(a.ok && a.replayed === true && a.version === before)) {
      this.problems.push(`batch ${batchKey} line ${position}: stored as v${before}, now ${JSON.stringify(a)}`);
    }
    if (a.ok && before === undefined && a.version !== undefined) lines.set(position, a.version);
  }

  /** A serial answer; one acknowledged before under this key must come back identical. */
  serial(key: string, range: { first: number; last: number; replayed?: boolean }): void {
    const before = this.serials.get(key);
    if (before !== undefined && (before.first !== range.first || before.last !== range.last || !range.replayed)) {
      this.problems.push(`serial ${key}: answered ${before.first}-${before.last}, now ${JSON.stringify(range)}`);
    }
    this.serials.set(key, { first: range.first, last: range.last });
  }

  /** Ranges sorted: contiguous from 1, none twice (a retry that reserved again would overlap). */
  checkSerials(): void {
    const ranges = [...this.serials.values()].sort((a, b) => a.first - b.first);
    let next = 1;
    for (const r of ranges) {
      if (r.first < next) this.problems.push(`serial range ${r.first}-${r.last} overlaps an earlier one`);
      next = Math.max(next, r.last + 1);
    }
  }

  /** Everything acknowledged is in the store; the change log is gap-free and matches the records. */
  async checkStore(store: ReadonlyStore, round: number): Promise<{ lastSeq: number }> {
    for (const [key, version] of this.puts) {
      const rec = await store.get(key);
      if (rec === undefined || rec.version < version) {
        this.problems.push(
          `round ${round}: acknowledged ${key} v${version} is ${rec === undefined ? 'missing' : `v${rec.version}`}`,
        );
      }
    }
    for (const [key, version] of this.deletes) {
      const rec = await store.get(key);
      if (rec?.deletedAt === undefined || rec.version < version)
        this.problems.push(`round ${round}: acknowledged delete of ${key} undone`);
    }
    const lastSeq = await store.lastSeq();
    const lastOf = new Map<string, { version: number; deleted: boolean }>();
    let expected = 1;
    for (let after = 0; after < lastSeq;) {
      const page = await store.changesSince(after, 5000);
      if (page.length === 0) break;
      for (const e of page) {
        if (e.seq !== expected) this.problems.push(`round ${round}: change log jumps from ${expected - 1} to ${e.seq}`);
        expected = e.seq + 1;
        lastOf.set(e.key, { version: e.record.version, deleted: e.op === 'delete' });
      }
      after = page[page.length - 1]!.seq;
    }
    if (expected !== lastSeq + 1)
      this.problems.push(`round ${round}: change log ends at ${expected - 1}, lastSeq ${lastSeq}`);
    for (const [key, last] of lastOf) {
      const rec = await store.get(key);
      if (rec?.version !== last.version || (rec.deletedAt !== undefined) !== last.deleted) {
        this.problems.push(`round ${round}: ${key} is v${rec?.version} but its last change says v${last.version}`);
      }
    }
    return { lastSeq };
  }
}
