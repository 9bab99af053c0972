import { requirePermissions } from '../auth/authorise.ts';
import type { Identity } from '../auth/identity.ts';
import { governingPrefix, naHandleOf, parentPrefix } from '../authority/homed-prefixes.ts';
import { IdnError } from '../errors/idn-error.ts';
import { identifierKey, type ParsedIdentifier } from '../identifier/index.ts';
import type { PlannedChange } from '../records/change-set.ts';
import { Perm, PERM_ALL, PERM_IDENTIFIER_OWNER, formatPermissions } from '../records/permissions.ts';
import { isLive, type HandleValue, type StoredRecord } from '../records/types.ts';
import { nextRecord, tombstone } from '../store/record-transitions.ts';
import type { StoreOp } from '../store/store.ts';
import type { PreparedChange } from './prepare-change.ts';
import type { Principal } from './principal.ts';
import type { RecordView } from './record-view.ts';
import { sealSecrets } from './secrets.ts';
import { countAdmins, planValueChange, type ValueChange } from './write-plan.ts';

/**
 * A check every created or changed record must pass before the commit (metadata schemas,
 * templates); it reads other records through the plan's view.
 */
export type WriteCheck = (
  id: ParsedIdentifier,
  values: readonly HandleValue[],
  read: (key: string) => Promise<StoredRecord | undefined>,
) => Promise<void>;

export interface PlanContext {
  readonly who: Principal;
  readonly now: string;
  readonly view: RecordView;
  readonly checks: readonly WriteCheck[];
  /** The view's reads, for checks. */
  readonly read: (key: string) => Promise<StoredRecord | undefined>;
}

/** One change decided: what it does, the store op that does it (none when unchanged), the record after. */
export interface Plan {
  readonly planned: PlannedChange;
  readonly op: StoreOp | undefined;
  readonly record: StoredRecord;
}

const identityOf = (who: Principal): Identity | undefined => (who.kind === 'client' ? who.identity : undefined);

/** HS_ADMIN authorisation applies to clients; system principals were judged by their policy already. */
function authorise(ctx: PlanContext, admins: readonly HandleValue[], needed: number, target: string): void {
  if (ctx.who.kind === 'client') requirePermissions(ctx.who.identity, admins, needed, target);
}

async function runChecks(ctx: PlanContext, id: ParsedIdentifier, values: readonly HandleValue[]): Promise<void> {
  for (const check of ctx.checks) await check(id, values, ctx.read);
}

/** The 0.NA record whose admins may create (or, lacking record admins, manage) this identifier. */
async function prefixRecord(ctx: PlanContext, id: ParsedIdentifier, isNa: boolean): Promise<StoredRecord> {
  const prefix = isNa ? parentPrefix(governingPrefix(id).prefix) : id.prefix;
  // `prefix` comes from a parsed identifier, so its record's key needs no second parse.
  const na = prefix === undefined ? undefined : await ctx.view.get(identifierKey(naHandleOf(prefix)));
  if (!isLive(na)) {
    throw new IdnError(
      'IDN_ERR_PREFIX_NOT_FOUND',
      `Prefix ${prefix ?? id.suffix} has no ${naHandleOf(prefix ?? '…')} record here.`,
    );
  }
  return na;
}

/** The creator administers what it creates (Handle servers add the same default HS_ADMIN). */
function defaultAdmin(identity: Identity, isNa: boolean, now: string): HandleValue {
  const permissions = formatPermissions(isNa ? PERM_ALL : PERM_IDENTIFIER_OWNER);
  return {
    index: 100,
    type: 'HS_ADMIN',
    data: { format: 'admin', value: { handle: identity.handle, index: identity.index, permissions } },
    ttl: 86_400,
    timestamp: now,
    access: 'public',
  };
}

const sortValues = (values: HandleValue[]): HandleValue[] => values.sort((a, b) => a.index - b.index);

function plan(status: PlannedChange['status'], key: string, record: StoredRecord, op?: StoreOp): Plan {
  return { planned: { key, handle: record.handle, status, version: record.version }, op, record };
}

async function planCreate(p: PreparedChange, ctx: PlanContext, tomb: StoredRecord | undefined): Promise<Plan> {
  const { change, isNa } = p;
  const id = change.id;
  if (change.op === 'delete' || change.op === 'remove-indexes') throw new IdnError('IDN_ERR_NOT_FOUND');
  if (ctx.who.kind === 'client') {
    const na = await prefixRecord(ctx, id, isNa);
    authorise(ctx, na.values, isNa ? Perm.ADD_NA : Perm.ADD_HANDLE, na.handle);
  }
  let values = await sealSecrets(p.values ?? [], []);
  const identity = identityOf(ctx.who);
  if (identity !== undefined && countAdmins(values) === 0) values = [defaultAdmin(identity, isNa, ctx.now), ...values];
  await runChecks(ctx, id, values);
  const input = { handle: id.handle, values: sortValues(values) };
  // Over a tombstone only for a principal allowed to revive (planChange checked): name its version.
  const cond = tomb === undefined ? { expectAbsent: true as const } : { expectVersion: tomb.version };
  return plan('created', id.key, nextRecord(tomb, input, ctx.now), { op: 'put', key: id.key, input, cond });
}

function valueChange(p: PreparedChange, sealed: HandleValue[]): ValueChange {
  const c = p.change;
  if (c.op === 'remove-indexes') return { op: 'remove-indexes', indexes: c.indexes };
  return { op: c.op === 'upsert-indexes' ? 'upsert-indexes' : 'replace', values: sealed };
}

async function planUpdate(p: PreparedChange, ctx: PlanContext, existing: StoredRecord): Promise<Plan> {
  const { change, isNa } = p;
  const id = change.id;
  const recordAdmins = countAdmins(existing.values) > 0;
  const admins =
    recordAdmins || ctx.who.kind === 'system' ? existing.values : (await prefixRecord(ctx, id, isNa)).values;
  const cond = { expectVersion: existing.version };
  if (change.op === 'delete') {
    authorise(ctx, admins, isNa ? Perm.DELETE_NA : Perm.DELETE_HANDLE, existing.handle);
    const record = tombstone(existing, ctx.now);
    return plan('deleted', id.key, record, { op: 'delete', key: id.key, cond });
  }
  if (change.op === 'create') throw new IdnError('IDN_ERR_ALREADY_EXISTS');
  const sealed = change.op === 'remove-indexes' ? [] : await sealSecrets(p.values ?? [], existing.values);
  const next = planValueChange(existing.values, valueChange(p, sealed));
  authorise(ctx, admins, next.needed, existing.handle);
  if (recordAdmins && countAdmins(next.values) === 0) throw new IdnError('IDN_ERR_LAST_ADMIN');
  if (next.needed === 0) return plan('unchanged', id.key, existing);
  await runChecks(ctx, id, next.values);
  const input = { handle: existing.handle, values: next.values };
  return plan('updated', id.key, nextRecord(existing, input, ctx.now), { op: 'put', key: id.key, input, cond });
}

/** Decides one prepared change against the record as the set sees it (earlier changes included). */
export async function planChange(p: PreparedChange, ctx: PlanContext): Promise<Plan> {
  const { change } = p;
  const existing = await ctx.view.get(change.id.key);
  if (change.ifMatch !== undefined && (existing?.version ?? 0) !== change.ifMatch) {
    throw new IdnError('IDN_ERR_VERSION_MISMATCH', undefined, {
      expected: change.ifMatch,
      actual: existing?.version ?? 0,
    });
  }
  let result: Plan;
  if (existing?.deletedAt !== undefined) {
    const revive = ctx.who.kind === 'system' && ctx.who.revivesTombstones;
    if (!revive || change.op === 'delete' || change.op === 'remove-indexes') {
      throw new IdnError(
        'IDN_ERR_GONE',
        `${existing.handle} was deleted at ${existing.deletedAt}; its suffix is not reused.`,
      );
    }
    result = await planCreate(p, ctx, existing);
  } else {
    result = isLive(existing) ? await planUpdate(p, ctx, existing) : await planCreate(p, ctx, undefined);
  }
  ctx.view.set(change.id.key, result.record);
  return result;
}
