import { SecretKeyring } from '../auth/seal/keyring.ts';
import type { HomedPrefixes } from '../authority/homed-prefixes.ts';
import { IdnError, isIdnError } from '../errors/idn-error.ts';
import type { ParsedIdentifier } from '../identifier/index.ts';
import type { NodeMetrics } from '../observability/metrics.ts';
import { createMetadataWriteCheck } from '../passport/metadata-write-check.ts';
import type { AppliedChange, ApplyResult, BatchResult, ChangeBatch, ChangeSet } from '../records/change-set.ts';
import type { StoredRecord } from '../records/types.ts';
import type { ChangeFeed } from '../store/change-feed.ts';
import { readonlyStore } from '../store/readonly-store.ts';
import type { AllocatedRange, ChangeMeta, ReadonlyStore, Store, StoreOp } from '../store/store.ts';
import { applyEach } from './apply-each.ts';
import { failedOp, raceCodes, systemOp, tagged, untagged } from './commit-ops.ts';
import { KeyLock } from './key-lock.ts';
import { planChange, type Plan, type WriteCheck } from './plan-change.ts';
import { prepareChange, type PreparedChange } from './prepare-change.ts';
import { actorOf, type Principal } from './principal.ts';
import { RecordView } from './record-view.ts';
import { checkPolicyPlacement } from './reuse-policy.ts';

export interface RecordServiceOptions {
  readonly homed: HomedPrefixes;
  /** Every committed key is announced here (cache invalidation, audit, sync sender). */
  readonly changes: ChangeFeed;
  /**
   * idnode_registrations_total, counted for client writes (a system principal's writes, e.g. sync
   * copies of writes counted where they were made, are not registrations); none when absent.
   */
  readonly metrics?: NodeMetrics;
  /** A caching node: every client write is refused with this error (system principals still write). */
  readonly refuseClientWrite?: (id: ParsedIdentifier) => IdnError;
  /** Checks beyond the built-in ones (metadata schemas, resolution config), run on every write. */
  readonly extraChecks?: readonly WriteCheck[];
  readonly clock?: () => Date;
  /**
   * Seals every HS_SECKEY written (ADR 0002). app.ts always passes the node's keyring (the seal
   * key of the data directory or IDNODE_SEAL_KEY); absent, a key of this process only (tests).
   */
  readonly keyring?: SecretKeyring;
}

/**
 * Writes to one key are queued in this process (KeyLock), so a lost race here means a writer the
 * lock cannot see (another process on the store). Those are rare: a few re-plans with a small
 * jittered backoff settle them; if they do not, the client is told to retry (503), never 412,
 * because it pinned no version.
 */
const MAX_ATTEMPTS = 8;
const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));

class RaceLost extends Error {
  override readonly cause: IdnError;
  readonly pinned: boolean;
  constructor(cause: IdnError, pinned: boolean) {
    super('lost a write race');
    this.cause = cause;
    this.pinned = pinned;
  }
}

/** In a set of several changes, an error names which change (by index) it belongs to. */
async function forChange<T>(set: ChangeSet, index: number, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw set.changes.length > 1 && isIdnError(e) ? tagged(e, { change: index }) : e;
  }
}

/** A plan's outcome as callers see it: the record after the commit, and its warnings if any. */
const applied = (p: Plan, record: StoredRecord): AppliedChange =>
  p.warnings.length === 0 ? { ...p.planned, record } : { ...p.planned, record, warnings: p.warnings };

/**
 * The only holder of a writable Store. Every write (PUT, DELETE, batch, import, registry
 * decisions, sync apply, bootstrap) is a ChangeSet applied here, so every path gets the same
 * rules by construction: value validation, secret sealing, homing, HS_ADMIN authorisation (or a
 * system principal's policy), default HS_ADMIN, the last-admin rule, metadata-schema checks, key
 * locks, one conditional commit (all or nothing), metrics, change log and announcements.
 */
export class RecordService {
  readonly #store: Store;
  readonly #opts: RecordServiceOptions;
  readonly #checks: readonly WriteCheck[];
  readonly #lock = new KeyLock();
  /** Seals what is written; the bootstrap reads it to tell whether a stored secret is current. */
  readonly keyring: SecretKeyring;
  /** What routes, registries and the resolution chain get: the same store, reads only. */
  readonly store: ReadonlyStore;

  constructor(store: Store, opts: RecordServiceOptions) {
    this.#store = store;
    this.#opts = opts;
    this.keyring = opts.keyring ?? SecretKeyring.ephemeral();
    this.#checks = [createMetadataWriteCheck(store), checkPolicyPlacement, ...(opts.extraChecks ?? [])];
    this.store = readonlyStore(store);
  }

  /**
   * Applies every change of the set and its system records in one commit, or nothing: the first
   * refused change rejects the whole set with its IdnError (with `change: <index>` in the detail
   * when the set has several). Resolves once the commit is durable and announced.
   */
  async apply(set: ChangeSet, who: Principal): Promise<ApplyResult> {
    const now = (this.#opts.clock?.() ?? new Date()).toISOString();
    try {
      const prepared: PreparedChange[] = [];
      for (const [i, c] of set.changes.entries()) {
        prepared.push(await forChange(set, i, () => prepareChange(c, who, this.#opts, now)));
      }
      const keys = [...prepared.map((p) => p.change.id.key), ...(set.system ?? []).map((s) => s.key)];
      const result = await this.#lock.runAll(keys, () => this.#applyWithRetry(set, prepared, who, now));
      if (who.kind === 'client') this.#count(result.changes);
      return result;
    } catch (e) {
      if (who.kind === 'client') this.#countRefused(set);
      throw e;
    }
  }

  /**
   * Applies every change of the batch on its own merits, in one commit (a bulk registration
   * chunk): each change passes every rule of `apply`, a refused one fails alone with its error
   * (at prepare, plan or commit time: a concurrent create is re-planned and refused, the rest
   * committed without it), and the batch's system records (`systemFor`) commit with the rest.
   * Resolves once that commit is durable and announced. Rejects only when the commit itself
   * fails (the store is unavailable, a system record's condition failed: tagged `system: i`).
   */
  async applyEach(batch: ChangeBatch, who: Principal): Promise<BatchResult> {
    const deps = {
      store: this.#store,
      opts: this.#opts,
      checks: this.#checks,
      lock: this.#lock,
      keyring: this.keyring,
    };
    const result = await applyEach(deps, batch, who, (this.#opts.clock?.() ?? new Date()).toISOString());
    if (who.kind === 'client') {
      this.#count(result.outcomes.flatMap((o) => (o.ok ? [o.applied] : [])));
      for (const [i, o] of result.outcomes.entries()) if (!o.ok) this.#countRefusedChange(batch.changes[i]!.op);
    }
    return result;
  }

  /**
   * Reserves `count` numbers of a counter that no record keeps (application ids, prefix numbers):
   * a reservation lost in a crash is a gap, never a duplicate. A range handed to a client belongs
   * in a commit instead (a SystemRecordAllocation), so it is stored with its idempotency result.
   */
  allocate(counter: string, count: number): Promise<AllocatedRange> {
    return this.#store.allocate(counter, count);
  }

  async #applyWithRetry(
    set: ChangeSet,
    prepared: readonly PreparedChange[],
    who: Principal,
    now: string,
  ): Promise<ApplyResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(set, prepared, who, now);
      } catch (e) {
        // A concurrent writer won the race: re-read and re-plan, unless the caller pinned a version.
        if (!(e instanceof RaceLost)) throw e;
        if (e.pinned) throw e.cause;
        if (attempt >= MAX_ATTEMPTS) {
          const what = set.changes.length === 1 ? set.changes[0]!.id.handle : 'These identifiers';
          throw new IdnError('IDN_ERR_UNAVAILABLE', `${what} is being changed by other writers; retry the request.`);
        }
        await backoff(attempt);
      }
    }
  }

  async #attempt(
    set: ChangeSet,
    prepared: readonly PreparedChange[],
    who: Principal,
    now: string,
  ): Promise<ApplyResult> {
    const view = new RecordView(this.#store);
    await view.load(prepared.map((p) => p.change.id.key));
    const ctx = { who, now, view, checks: this.#checks, read: (k: string) => view.get(k), keyring: this.keyring };
    const plans: Plan[] = [];
    for (const [i, p] of prepared.entries()) plans.push(await forChange(set, i, () => planChange(p, ctx)));
    const actor = actorOf(who);
    const system = [...(set.system ?? []), ...(set.systemFor?.(plans.map((p) => p.planned)) ?? [])];
    const ops: StoreOp[] = [];
    const opOfChange = plans.map((p) => (p.op === undefined ? -1 : ops.push(p.op) - 1));
    const firstSystemOp = ops.length;
    for (const s of system) ops.push(systemOp(s, actor));
    if (ops.length === 0) return { changes: plans.map((p) => applied(p, p.record)), system: [] };
    const meta: ChangeMeta = set.reason === undefined ? { actor } : { actor, reason: set.reason };
    const records = await this.#commit(set, ops, meta, opOfChange, firstSystemOp);
    const changes: AppliedChange[] = plans.map((p, i) => {
      const at = opOfChange[i]!;
      return applied(p, at < 0 ? p.record : records[at]!);
    });
    return { changes, system: records.slice(firstSystemOp) };
  }

  /** The one store commit of a set; a condition failure on an identifier's op is a lost race. */
  async #commit(
    set: ChangeSet,
    ops: readonly StoreOp[],
    meta: ChangeMeta,
    opOfChange: readonly number[],
    firstSystemOp: number,
  ) {
    const keys = [...new Set(ops.map((o) => o.key))];
    try {
      const records = await this.#store.commit(ops, meta);
      for (const key of keys) this.#opts.changes.announce(key);
      return records;
    } catch (e) {
      if (!isIdnError(e)) throw e;
      // The outcome of an unavailable store is unknown: drop what caches may hold, to be safe.
      if (e.code === 'IDN_ERR_STORE_UNAVAILABLE') for (const key of keys) this.#opts.changes.announce(key);
      const at = failedOp(e);
      if (at < 0) throw e;
      const original = untagged(e);
      if (at >= firstSystemOp) throw tagged(original, { system: at - firstSystemOp });
      const change = opOfChange.indexOf(at);
      const err = set.changes.length > 1 ? tagged(original, { change }) : original;
      if (!raceCodes.has(e.code)) throw err;
      throw new RaceLost(err, set.changes[change]?.ifMatch !== undefined);
    }
  }

  #countRefused(set: ChangeSet): void {
    for (const c of set.changes) this.#countRefusedChange(c.op);
  }

  #countRefusedChange(op: string): void {
    this.#opts.metrics?.registrations.labels(op === 'delete' ? 'delete' : 'update', 'error').inc();
  }

  #count(changes: readonly AppliedChange[]): void {
    const m = this.#opts.metrics;
    if (!m) return;
    for (const c of changes) {
      const op = c.status === 'created' ? 'create' : c.status === 'deleted' ? 'delete' : 'update';
      m.registrations.labels(op, 'ok').inc();
    }
  }
}
