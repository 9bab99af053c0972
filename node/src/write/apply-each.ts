import type { SecretKeyring } from '../auth/seal/keyring.ts';
import { IdnError, isIdnError } from '../errors/idn-error.ts';
import type { BatchOutcome, BatchResult, ChangeBatch } from '../records/change-set.ts';
import type { StoredRecord } from '../records/types.ts';
import type { ChangeFeed } from '../store/change-feed.ts';
import type { ChangeMeta, Store, StoreOp } from '../store/store.ts';
import { failedOp, raceCodes, systemOp, tagged, untagged } from './commit-ops.ts';
import type { KeyLock } from './key-lock.ts';
import { planChange, type Plan, type WriteCheck } from './plan-change.ts';
import { prepareChange, type PreparedChange, type PrepareRules } from './prepare-change.ts';
import { actorOf, type Principal } from './principal.ts';
import { RecordView } from './record-view.ts';

/**
 * RecordService.applyEach: a batch of changes judged one by one by the same rules as `apply`,
 * committed together in one transaction (one durable sync for thousands of identifiers).
 */

export interface BatchDeps {
  readonly store: Store;
  readonly opts: PrepareRules & { readonly changes: ChangeFeed };
  readonly checks: readonly WriteCheck[];
  readonly lock: KeyLock;
  readonly keyring: SecretKeyring;
}

/**
 * A change that keeps losing commit races (to a writer in another process on the same store) is
 * refused after this many, so one hot identifier cannot hold back the thousands beside it.
 */
const MAX_RACES_PER_CHANGE = 3;
const backoff = (races: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** races)));

/** A bug met by one item is that item's internal error, not the batch's. */
const itemError = (e: unknown): IdnError => {
  if (isIdnError(e)) return e;
  const err = new IdnError('IDN_ERR_INTERNAL');
  err.cause = e;
  return err;
};

interface Attempt {
  readonly plans: readonly (Plan | undefined)[];
  readonly errors: ReadonlyMap<number, IdnError>;
}

export async function applyEach(
  deps: BatchDeps,
  batch: ChangeBatch,
  who: Principal,
  now: string,
): Promise<BatchResult> {
  /** Refusals that stand for the whole call: at prepare time, or by the store at commit time. */
  const refused = new Map<number, IdnError>();
  const prepared = batch.changes.map((c, i): PreparedChange | undefined => {
    try {
      return prepareChange(c, who, deps.opts, now);
    } catch (e) {
      refused.set(i, itemError(e));
      return undefined;
    }
  });
  const keys = prepared.flatMap((p) => (p === undefined ? [] : [p.change.id.key]));
  return deps.lock.runAll(keys, () => commitEach(deps, batch, prepared, refused, who, now));
}

/** Plans every change not refused yet against the store as it is now (earlier changes included). */
async function plan(
  deps: BatchDeps,
  prepared: readonly (PreparedChange | undefined)[],
  refused: ReadonlyMap<number, IdnError>,
  who: Principal,
  now: string,
): Promise<Attempt> {
  const view = new RecordView(deps.store);
  await view.load(prepared.flatMap((p) => (p === undefined ? [] : [p.change.id.key])));
  const ctx = { who, now, view, checks: deps.checks, read: (k: string) => view.get(k), keyring: deps.keyring };
  const errors = new Map(refused);
  const plans: (Plan | undefined)[] = [];
  for (const [i, p] of prepared.entries()) {
    if (p === undefined || errors.has(i)) {
      plans.push(undefined);
      continue;
    }
    try {
      plans.push(await planChange(p, ctx));
    } catch (e) {
      errors.set(i, itemError(e));
      plans.push(undefined);
    }
  }
  return { plans, errors };
}

function outcomes(a: Attempt, records: readonly StoredRecord[], opOfChange: readonly number[]): BatchOutcome[] {
  return a.plans.map((p, i): BatchOutcome => {
    if (p === undefined) return { ok: false, error: a.errors.get(i)! };
    const at = opOfChange[i]!;
    return { ok: true, applied: { ...p.planned, record: at < 0 ? p.record : records[at]! } };
  });
}

async function commitEach(
  deps: BatchDeps,
  batch: ChangeBatch,
  prepared: readonly (PreparedChange | undefined)[],
  refused: Map<number, IdnError>,
  who: Principal,
  now: string,
): Promise<BatchResult> {
  const races = new Map<number, number>();
  const actor = actorOf(who);
  const meta: ChangeMeta = batch.reason === undefined ? { actor } : { actor, reason: batch.reason };
  for (;;) {
    const attempt = await plan(deps, prepared, refused, who, now);
    const system = batch.systemFor?.(attempt.plans.map((p) => p?.planned)) ?? [];
    const ops: StoreOp[] = [];
    const opOfChange = attempt.plans.map((p) => (p?.op === undefined ? -1 : ops.push(p.op) - 1));
    const firstSystemOp = ops.length;
    for (const s of system) ops.push(systemOp(s, actor));
    if (ops.length === 0) return { outcomes: outcomes(attempt, [], opOfChange), system: [] };
    const keys = [...new Set(ops.map((o) => o.key))];
    let records: readonly StoredRecord[];
    try {
      records = await deps.store.commit(ops, meta);
    } catch (e) {
      if (!isIdnError(e)) throw e;
      // The outcome of an unavailable store is unknown: drop what caches may hold, to be safe.
      if (e.code === 'IDN_ERR_STORE_UNAVAILABLE') for (const key of keys) deps.opts.changes.announce(key);
      const at = failedOp(e);
      if (at < 0) throw e;
      const original = untagged(e);
      if (at >= firstSystemOp) throw tagged(original, { system: at - firstSystemOp });
      const i = opOfChange.indexOf(at);
      const pinned = batch.changes[i]?.ifMatch !== undefined;
      if (!raceCodes.has(original.code) || pinned) {
        refused.set(i, original);
        continue;
      }
      // Another writer got there first: plan again (a concurrent create is then refused alone).
      const lost = (races.get(i) ?? 0) + 1;
      races.set(i, lost);
      if (lost >= MAX_RACES_PER_CHANGE) {
        const handle = batch.changes[i]!.id.handle;
        refused.set(i, new IdnError('IDN_ERR_UNAVAILABLE', `${handle} is being changed by other writers; retry it.`));
      }
      await backoff(lost);
      continue;
    }
    for (const key of keys) deps.opts.changes.announce(key);
    return { outcomes: outcomes(attempt, records, opOfChange), system: records.slice(firstSystemOp) };
  }
}
