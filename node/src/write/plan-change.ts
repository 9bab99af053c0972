import { requireAdmin, storeLookup } from '../auth/authorise.ts';
import type { Identity } from '../auth/identity.ts';
import type { SecretKeyring } from '../auth/seal/keyring.ts';
import { governingPrefix, naHandleOf, parentPrefix } from '../authority/homed-prefixes.ts';
import { IdnError } from '../errors/idn-error.ts';
import { identifierKey, type ParsedIdentifier } from '../identifier/index.ts';
import type { PlannedChange } from '../records/change-set.ts';
import { Perm, PERM_ALL, PERM_IDENTIFIER_OWNER, formatPermissions } from '../records/permissions.ts';
import { isLive, type HandleValue, type StoredRecord } from '../records/types.ts';
import { layoutWarnings } from '../records/validate-values.ts';
import { nextRecord, tombstone } from '../store/record-transitions.ts';
import type { StoreOp } from '../store/store.ts';
import type { PreparedChange } from './prepare-change.ts';
import { valueFormOf, type Principal } from './principal.ts';
import type { RecordView } from './record-view.ts';
import { checkReuse } from './reuse-policy.ts';
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
  /** Seals the secrets the change writes (ADR 0002). */
  readonly keyring: SecretKeyring;
}

/** One change decided: what it does, the store op that does it (none when unchanged), the record after. */
export interface Plan {
  readonly planned: PlannedChange;
  readonly op: StoreOp | undefined;
  readonly record: StoredRecord;
  /** Layout preferences the written values do not follow (never a refusal). */
  readonly warnings: readonly string[];
}

const identityOf = (who: Principal): Identity | undefined => (who.kind === 'client' ? who.identity : undefined);

/**
 * HS_ADMIN authorisation applies to clients; system principals were judged by their policy already.
 * HS_VLIST groups are read through the set's view, so a group the same set changes counts as changed.
 */
async function authorise(ctx: PlanContext, admins: readonly HandleValue[], needed: number, target: string) {
  if (ctx.who.kind === 'client') await requireAdmin(ctx.who.identity, admins, needed, target, storeLookup(ctx.view));
}

async function runChecks(ctx: PlanContext, id: ParsedIdentifier, values: readonly HandleValue[]): Promise<void> {
  for (const check of ctx.checks) await check(id, values, ctx.read);
}

/** The live 0.NA record governing this identifier (its parent prefix's for a prefix record), if any. */
async function governingRecord(ctx: PlanContext, id: ParsedIdentifier, isNa: boolean) {
  const prefix = isNa ? parentPrefix(governingPrefix(id).prefix) : id.prefix;
  const na = prefix === undefined ? undefined : await ctx.view.get(identifierKey(naHandleOf(prefix)));
  return { prefix, na: isLive(na) ? na : undefined };
}

/** The 0.NA record whose admins may create (or, lacking record admins, manage) this identifier. */
async function prefixRecord(ctx: PlanContext, id: ParsedIdentifier, isNa: boolean): Promise<StoredRecord> {
  const { prefix, na } = await governingRecord(ctx, id, isNa);
  if (na === undefined) {
    throw new IdnError(
      'IDN_ERR_PREFIX_NOT_FOUND',
      `Prefix ${prefix ?? id.suffix} has no ${naHandleOf(prefix ?? '…')} record here.`,
    );
  }
  return na;
}

/** Where the default HS_ADMIN goes: 100 as usual, else the first free index after it (any index is valid). */
function freeAdminIndex(values: readonly HandleValue[]): number {
  const used = new Set(values.map((v) => v.index));
  let i = 100;
  while (used.has(i)) i++;
  return i;
}

/** The creator administers what it creates (Handle servers add the same default HS_ADMIN). */
function defaultAdmin(identity: Identity, isNa: boolean, now: string, values: readonly HandleValue[]): HandleValue {
  const permissions = formatPermissions(isNa ? PERM_ALL : PERM_IDENTIFIER_OWNER);
  return {
    index: freeAdminIndex(values),
    type: 'HS_ADMIN',
    data: { format: 'admin', value: { handle: identity.handle, index: identity.index, permissions } },
    ttl: 86_400,
    timestamp: now,
    access: 'public',
  };
}

const sortValues = (values: HandleValue[]): HandleValue[] => values.sort((a, b) => a.index - b.index);

function plan(status: PlannedChange['status'], key: string, record: StoredRecord, op?: StoreOp): Plan {
  return { planned: { key, handle: record.handle, status, version: record.version }, op, record, warnings: [] };
}

/** What the written values say about idnode's layout preferences (only what this change writes). */
function withWarnings(result: Plan, p: PreparedChange): Plan {
  const warnings = layoutWarnings(p.values ?? [], p.change.valuesPath ?? 'values');
  return warnings.length === 0 ? result : { ...result, warnings };
}

/** A principal that re-creates over a tombstone whatever the prefix's never-reuse policy says (bootstrap). */
const revives = (who: Principal): boolean => who.kind === 'system' && who.revivesTombstones;

/** A deleted identifier: the name is free again (Handle), unless never-reuse forbids it. */
function notLive(tomb: StoredRecord): IdnError {
  return new IdnError('IDN_ERR_NOT_FOUND', `${tomb.handle} was deleted at ${tomb.deletedAt ?? '?'}.`, {
    deleted: true,
    deletedAt: tomb.deletedAt,
  });
}

async function planCreate(p: PreparedChange, ctx: PlanContext, tomb: StoredRecord | undefined): Promise<Plan> {
  const { change, isNa } = p;
  const id = change.id;
  // Handle's ADD_VALUE and MODIFY_VALUE name an existing handle (RC 100 otherwise); PUT ?index= may create.
  const needsRecord = change.op === 'upsert-indexes' && change.mode !== undefined;
  if (change.op === 'delete' || change.op === 'remove-indexes' || needsRecord) {
    throw tomb === undefined ? new IdnError('IDN_ERR_NOT_FOUND') : notLive(tomb);
  }
  if (ctx.who.kind === 'client') {
    const na = await prefixRecord(ctx, id, isNa);
    await authorise(ctx, na.values, isNa ? Perm.ADD_NA : Perm.ADD_HANDLE, na.handle);
  }
  // Judged after authorisation, so only a caller who may create here learns about the deletion.
  if (tomb !== undefined && !revives(ctx.who)) checkReuse((await governingRecord(ctx, id, isNa)).na, tomb);
  let values = sealSecrets(p.values ?? [], [], ctx.keyring);
  const identity = identityOf(ctx.who);
  if (identity !== undefined && countAdmins(values) === 0) {
    values = [defaultAdmin(identity, isNa, ctx.now, values), ...values];
  }
  await runChecks(ctx, id, values);
  const input = { handle: id.handle, values: sortValues(values) };
  // Over a tombstone the store wants its version named (a deliberate re-creation): version + 1, a new ETag.
  const cond = tomb === undefined ? { expectAbsent: true as const } : { expectVersion: tomb.version };
  return plan('created', id.key, nextRecord(tomb, input, ctx.now), { op: 'put', key: id.key, input, cond });
}

function valueChange(p: PreparedChange, sealed: HandleValue[], who: Principal): ValueChange {
  const c = p.change;
  if (c.op === 'remove-indexes') return { op: 'remove-indexes', indexes: c.indexes };
  if (c.op === 'upsert-indexes')
    return c.mode === undefined
      ? { op: 'upsert-indexes', values: sealed }
      : { op: 'upsert-indexes', values: sealed, mode: c.mode };
  // Stored values from another node replace the record exactly (admins included); a client's replace is an edit.
  return { op: valueFormOf(who) === 'stored' ? 'copy' : 'replace', values: sealed };
}

async function planUpdate(p: PreparedChange, ctx: PlanContext, existing: StoredRecord): Promise<Plan> {
  const { change, isNa } = p;
  const id = change.id;
  const recordAdmins = countAdmins(existing.values) > 0;
  const admins =
    recordAdmins || ctx.who.kind === 'system' ? existing.values : (await prefixRecord(ctx, id, isNa)).values;
  const cond = { expectVersion: existing.version };
  if (change.op === 'delete') {
    await authorise(ctx, admins, isNa ? Perm.DELETE_NA : Perm.DELETE_HANDLE, existing.handle);
    const record = tombstone(existing, ctx.now);
    return plan('deleted', id.key, record, { op: 'delete', key: id.key, cond });
  }
  if (change.op === 'create') throw new IdnError('IDN_ERR_ALREADY_EXISTS');
  const sealed = change.op === 'remove-indexes' ? [] : sealSecrets(p.values ?? [], existing.values, ctx.keyring);
  const next = planValueChange(existing.values, valueChange(p, sealed, ctx.who));
  await authorise(ctx, admins, next.needed, existing.handle);
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
  // A tombstone is as good as absent (Handle): created anew at its version + 1, never-reuse permitting.
  // (isLive's type guard cannot say "a tombstone", so the two cases are told apart by deletedAt.)
  const tomb = existing?.deletedAt !== undefined ? existing : undefined;
  const decided =
    existing !== undefined && tomb === undefined ? await planUpdate(p, ctx, existing) : await planCreate(p, ctx, tomb);
  const result = withWarnings(decided, p);
  ctx.view.set(change.id.key, result.record);
  return result;
}
