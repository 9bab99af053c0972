import { IdnError, isIdnError } from '../errors/idn-error.ts';
import type { ChangeEntry } from '../store/store.ts';
import type { SystemPrincipal } from '../write/principal.ts';
import type { RecordService } from '../write/record-service.ts';
import { applyEntry } from './apply-entry.ts';
import { classifyKey } from './sync-keys.ts';
import { syncPrincipal } from './sync-principal.ts';
import { cursorChange, type SyncCursor } from './sync-records.ts';

/** An entry the top-level will not apply, and why: acked with this error, counted in the cursor. */
export interface RefusedEntry {
  readonly seq: number;
  readonly key: string;
  readonly error: IdnError;
}

export interface BatchResult {
  readonly cursor: SyncCursor;
  /** Set when the batch did not start right after the cursor: the sender must resend from here. */
  readonly resendFrom?: number;
  /** The first entry refused in this batch (foreign prefix, or a value rule), for the error ack. */
  readonly refused?: RefusedEntry;
  /** Entries actually written (not skipped as already held): the test's apply counter. */
  readonly applied: number;
}

/**
 * An entry as the receiver decoded it: a change entry, or one that did not decode (a malformed
 * record from the sender's store) and is refused like a value rule would refuse it, counted and
 * skipped, so one bad record never stalls the stream.
 */
export type IncomingEntry = ChangeEntry | RefusedEntry;

const isRefused = (e: IncomingEntry): e is RefusedEntry => 'error' in e;

/** The entries that continue the cursor without a gap; older ones are dropped (already applied). */
function contiguous(cursor: SyncCursor, entries: readonly IncomingEntry[]): IncomingEntry[] | number {
  const out: IncomingEntry[] = [];
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

export const foreignPrefixError = (r: { readonly seq: number; readonly key: string }): IdnError =>
  new IdnError(
    'IDN_ERR_SYNC_FOREIGN_PREFIX',
    `Change ${r.seq} for "${r.key}" is outside the prefixes delegated to this node.`,
    { seq: r.seq, key: r.key },
  );

/**
 * A refusal is the entry's own fault and final (a value rule, the principal's policy, a tombstone
 * here): it is counted and skipped, and the sender is told. Anything else (a lost race, a store
 * failure) fails the batch, which the sender resends.
 */
const isRefusal = (e: unknown): e is IdnError =>
  isIdnError(e) && e.spec.http >= 400 && e.spec.http < 500 && e.code !== 'IDN_ERR_VERSION_MISMATCH';

interface GroupResult {
  applied: number;
  refused: RefusedEntry[];
}

async function applyGroup(
  records: RecordService,
  who: SystemPrincipal,
  nodeId: string,
  group: readonly ChangeEntry[],
): Promise<GroupResult> {
  const out: GroupResult = { applied: 0, refused: [] };
  for (const e of group) {
    try {
      if ((await applyEntry(records, who, nodeId, e)) === 'applied') out.applied += 1;
    } catch (err) {
      if (!isRefusal(err)) throw err;
      // Named by seq and key, so the operator of the secondary can find the bad record.
      const error = new IdnError(err.code, `Change ${e.seq} for "${e.key}" refused: ${err.message}`, {
        ...err.detail,
        seq: e.seq,
        key: e.key,
      });
      out.refused.push({ seq: e.seq, key: e.key, error });
    }
  }
  return out;
}

function nextCursor(cursor: SyncCursor, through: number, refused: readonly RefusedEntry[]): SyncCursor {
  const last = refused.reduce<RefusedEntry | undefined>(
    (a, r) => (a === undefined || r.seq > a.seq ? r : a),
    undefined,
  );
  const lastRefused = last ? { seq: last.seq, key: last.key, code: last.error.code } : cursor.lastRefused;
  return {
    appliedThrough: through,
    refused: cursor.refused + refused.length,
    ...(lastRefused ? { lastRefused } : {}),
  };
}

/**
 * Applies one batch for a node through RecordService (as sync:<node>) and then advances its
 * durable cursor. Each entry's record and its provenance are one commit; the cursor is a commit
 * of its own after them. A crash before the cursor leaves it behind: the sender resends from it,
 * and applyEntry finds each already applied entry's provenance and skips it, so nothing is
 * applied twice and nothing is lost.
 */
export async function applyBatch(
  records: RecordService,
  nodeId: string,
  cursor: SyncCursor,
  entries: readonly IncomingEntry[],
  allowed: readonly string[],
): Promise<BatchResult> {
  const run = contiguous(cursor, entries);
  if (typeof run === 'number') return { cursor, resendFrom: run, applied: 0 };
  if (run.length === 0) return { cursor, applied: 0 };
  const who = syncPrincipal(nodeId, allowed);
  const undecodable = run.filter(isRefused);
  const decided = run
    .filter((e): e is ChangeEntry => !isRefused(e))
    .map((e) => ({ e, d: classifyKey(e.key, allowed) }));
  const toApply = decided.filter((x) => x.d === 'apply').map((x) => x.e);
  const foreign: RefusedEntry[] = decided
    .filter((x) => x.d === 'refuse')
    .map(({ e }) => ({ seq: e.seq, key: e.key, error: foreignPrefixError(e) }));
  const groups = await Promise.all(byKey(toApply).map((g) => applyGroup(records, who, nodeId, g)));
  const refused = [...undecodable, ...foreign, ...groups.flatMap((g) => g.refused)].sort((a, b) => a.seq - b.seq);
  const next = nextCursor(cursor, run[run.length - 1]!.seq, refused);
  await records.apply({ changes: [], system: [cursorChange(nodeId, next)] }, who);
  const applied = groups.reduce((a, g) => a + g.applied, 0);
  const gap = run.length < entries.filter((e) => e.seq > cursor.appliedThrough).length;
  const first = refused[0];
  return {
    cursor: next,
    applied,
    ...(gap ? { resendFrom: next.appliedThrough + 1 } : {}),
    ...(first ? { refused: first } : {}),
  };
}
