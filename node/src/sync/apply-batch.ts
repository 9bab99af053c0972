import { IdnError } from '../errors/idn-error.ts';
import type { ChangeEntry, Store } from '../store/store.ts';
import { applyEntry } from './apply-entry.ts';
import { classifyKey } from './sync-keys.ts';
import { writeCursor, type SyncCursor } from './sync-records.ts';

export interface BatchResult {
  readonly cursor: SyncCursor;
  /** Set when the batch did not start right after the cursor: the sender must resend from here. */
  readonly resendFrom?: number;
  /** The first entry refused in this batch (foreign prefix), for the error ack. */
  readonly refused?: { readonly seq: number; readonly key: string };
  /** Entries actually written (not skipped as already held): the test's apply counter. */
  readonly applied: number;
}

/** The entries that continue the cursor without a gap; older ones are dropped (already applied). */
function contiguous(cursor: SyncCursor, entries: readonly ChangeEntry[]): ChangeEntry[] | number {
  const out: ChangeEntry[] = [];
  let next = cursor.appliedThrough + 1;
  for (const e of entries) {
    if (e.seq < next) continue;
    if (e.seq > next) return out.length === 0 ? next : out;
    out.push(e);
    next += 1;
  }
  return out;
}

/** Keys in first-seen order with their entries in seq order: keys run in parallel, a key's entries in turn. */
function byKey(entries: readonly ChangeEntry[]): ChangeEntry[][] {
  const groups = new Map<string, ChangeEntry[]>();
  for (const e of entries) {
    const g = groups.get(e.key);
    if (g) g.push(e);
    else groups.set(e.key, [e]);
  }
  return [...groups.values()];
}

async function applyGroup(store: Store, nodeId: string, group: readonly ChangeEntry[]): Promise<number> {
  let applied = 0;
  for (const e of group) if ((await applyEntry(store, nodeId, e)) === 'applied') applied += 1;
  return applied;
}

/**
 * Applies one batch for a node and then advances its durable cursor. The records and the cursor
 * are separate store writes (the Store interface has no multi-key transaction; on LMDB the writes
 * of one event turn usually share a commit anyway). Records first, cursor second: a crash in
 * between leaves the cursor behind, the sender resends from it, and applyEntry skips what is
 * already held - so the order is what makes a crash safe, and nothing is applied twice.
 */
export async function applyBatch(
  store: Store,
  nodeId: string,
  cursor: SyncCursor,
  entries: readonly ChangeEntry[],
  allowed: readonly string[],
): Promise<BatchResult> {
  const run = contiguous(cursor, entries);
  if (typeof run === 'number') return { cursor, resendFrom: run, applied: 0 };
  if (run.length === 0) return { cursor, applied: 0 };
  const decided = run.map((e) => ({ e, d: classifyKey(e.key, allowed) }));
  const toApply = decided.filter((x) => x.d === 'apply').map((x) => x.e);
  const refusedEntries = decided.filter((x) => x.d === 'refuse').map((x) => x.e);
  const counts = await Promise.all(byKey(toApply).map((g) => applyGroup(store, nodeId, g)));
  const first = refusedEntries[0];
  const last = refusedEntries[refusedEntries.length - 1];
  const next: SyncCursor = {
    appliedThrough: run[run.length - 1]!.seq,
    refused: cursor.refused + refusedEntries.length,
    ...(last
      ? { lastRefused: { seq: last.seq, key: last.key } }
      : cursor.lastRefused
        ? { lastRefused: cursor.lastRefused }
        : {}),
  };
  await writeCursor(store, nodeId, next);
  const applied = counts.reduce((a, b) => a + b, 0);
  const gap = run.length < entries.filter((e) => e.seq > cursor.appliedThrough).length;
  return {
    cursor: next,
    applied,
    ...(gap ? { resendFrom: next.appliedThrough + 1 } : {}),
    ...(first ? { refused: { seq: first.seq, key: first.key } } : {}),
  };
}

export const foreignPrefixError = (r: { readonly seq: number; readonly key: string }): IdnError =>
  new IdnError(
    'IDN_ERR_SYNC_FOREIGN_PREFIX',
    `Change ${r.seq} for "${r.key}" is outside the prefixes delegated to this node.`,
    {
      seq: r.seq,
      key: r.key,
    },
  );
