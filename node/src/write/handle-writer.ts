import { requirePermissions } from '../auth/authorise.ts';
import { identityName, type Identity } from '../auth/identity.ts';
import { governingPrefix, naHandleOf, parentPrefix, type HomedPrefixes } from '../authority/homed-prefixes.ts';
import { IdnError, isIdnError } from '../errors/idn-error.ts';
import { parseIdentifier, type ParsedIdentifier } from '../identifier/index.ts';
import { Perm, PERM_ALL, PERM_IDENTIFIER_OWNER, formatPermissions } from '../records/permissions.ts';
import { isLive, type HandleValue, type StoredRecord } from '../records/types.ts';
import type { Store } from '../store/store.ts';
import { KeyLock } from './key-lock.ts';
import { sealSecrets } from './secrets.ts';
import { countAdmins, planValueChange, type WriteRequest } from './write-plan.ts';

export interface WriteContext {
  readonly identity: Identity | undefined;
  /** From If-Match: the version the client read; a different current version fails with 412. */
  readonly ifMatch?: number;
  readonly now: string;
}

export interface WriteResult {
  readonly record: StoredRecord;
  readonly created: boolean;
  readonly changed: boolean;
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
  constructor(cause: IdnError) {
    super('lost a write race');
    this.cause = cause;
  }
}

/** Applies writes to identifiers: homing, HS_ADMIN authorisation, optimistic concurrency, audit meta. */
export class HandleWriter {
  private readonly store: Store;
  private readonly homed: HomedPrefixes;
  private readonly lock = new KeyLock();
  /** Checks of the final values before they are stored (metadata templates, resolution config). */
  private readonly checks: ((id: ParsedIdentifier, values: readonly HandleValue[]) => Promise<void>)[] = [];

  constructor(store: Store, homed: HomedPrefixes) {
    this.store = store;
    this.homed = homed;
  }

  /** Adds a check every create or change must pass (after authorisation, before the store write). */
  useCheck(check: (id: ParsedIdentifier, values: readonly HandleValue[]) => Promise<void>): void {
    this.checks.push(check);
  }

  private async runChecks(id: ParsedIdentifier, values: readonly HandleValue[]): Promise<void> {
    for (const check of this.checks) await check(id, values);
  }

  async write(id: ParsedIdentifier, req: WriteRequest, ctx: WriteContext): Promise<WriteResult> {
    const gov = governingPrefix(id);
    if (!this.homed.covers(gov.prefixKey)) {
      throw new IdnError('IDN_ERR_NOT_RESPONSIBLE', `This node does not home prefix ${gov.prefix}.`, {
        prefix: gov.prefix,
      });
    }
    // Every write needs an authenticated admin: say so before anything that depends on what exists
    // (a missing prefix, record or value), so anonymous callers learn nothing from a refused write.
    if (ctx.identity === undefined) throw new IdnError('IDN_ERR_AUTH_REQUIRED');
    return this.lock.run(id.key, () => this.writeWithRetry(id, req, ctx, gov.isNa));
  }

  private async writeWithRetry(
    id: ParsedIdentifier,
    req: WriteRequest,
    ctx: WriteContext,
    isNa: boolean,
  ): Promise<WriteResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(id, req, ctx, isNa);
      } catch (e) {
        // A concurrent writer won the race: re-read and re-plan, unless the client pinned a version.
        if (!(e instanceof RaceLost)) throw e;
        if (ctx.ifMatch !== undefined) throw e.cause;
        if (attempt >= MAX_ATTEMPTS) {
          throw new IdnError(
            'IDN_ERR_UNAVAILABLE',
            `${id.handle} is being changed by other writers; retry the request.`,
          );
        }
        await backoff(attempt);
      }
    }
  }

  /** Runs a conditional store write, turning a lost race into RaceLost for the retry loop. */
  private async commit(op: () => Promise<StoredRecord>): Promise<StoredRecord> {
    try {
      return await op();
    } catch (e) {
      const raced = isIdnError(e) && (e.code === 'IDN_ERR_VERSION_MISMATCH' || e.code === 'IDN_ERR_ALREADY_EXISTS');
      throw raced ? new RaceLost(e) : e;
    }
  }

  private async attempt(
    id: ParsedIdentifier,
    req: WriteRequest,
    ctx: WriteContext,
    isNa: boolean,
  ): Promise<WriteResult> {
    const existing = await this.store.get(id.key);
    if (ctx.ifMatch !== undefined && (existing?.version ?? 0) !== ctx.ifMatch) {
      throw new IdnError('IDN_ERR_VERSION_MISMATCH', undefined, {
        expected: ctx.ifMatch,
        actual: existing?.version ?? 0,
      });
    }
    if (existing?.deletedAt !== undefined) {
      throw new IdnError(
        'IDN_ERR_GONE',
        `${existing.handle} was deleted at ${existing.deletedAt}; its suffix is not reused.`,
      );
    }
    return isLive(existing) ? this.change(id, existing, req, ctx, isNa) : this.create(id, req, ctx, isNa);
  }

  /** The 0.NA record whose admins may create (or, lacking record admins, manage) this identifier. */
  private async prefixRecord(id: ParsedIdentifier, isNa: boolean): Promise<StoredRecord> {
    const prefix = isNa ? parentPrefix(governingPrefix(id).prefix) : id.prefix;
    const na = prefix === undefined ? undefined : await this.store.get(parseIdentifier(naHandleOf(prefix), 'text').key);
    if (!isLive(na)) {
      throw new IdnError(
        'IDN_ERR_PREFIX_NOT_FOUND',
        `Prefix ${prefix ?? id.suffix} has no ${naHandleOf(prefix ?? '…')} record here.`,
      );
    }
    return na;
  }

  private async create(
    id: ParsedIdentifier,
    req: WriteRequest,
    ctx: WriteContext,
    isNa: boolean,
  ): Promise<WriteResult> {
    if (req.op === 'delete' || req.op === 'remove-indexes') throw new IdnError('IDN_ERR_NOT_FOUND');
    const na = await this.prefixRecord(id, isNa);
    requirePermissions(ctx.identity, na.values, isNa ? Perm.ADD_NA : Perm.ADD_HANDLE, na.handle);
    const identity = ctx.identity!;
    let values = await sealSecrets(req.values, []);
    if (countAdmins(values) === 0) values = [defaultAdmin(identity, isNa, ctx.now), ...values];
    await this.runChecks(id, values);
    const input = { handle: id.handle, values: sortValues(values) };
    const record = await this.commit(() => this.store.put(id.key, input, { expectAbsent: true }, meta(ctx)));
    return { record, created: true, changed: true };
  }

  private async change(
    id: ParsedIdentifier,
    existing: StoredRecord,
    req: WriteRequest,
    ctx: WriteContext,
    isNa: boolean,
  ): Promise<WriteResult> {
    const admins = countAdmins(existing.values) > 0 ? existing.values : (await this.prefixRecord(id, isNa)).values;
    if (req.op === 'delete') {
      requirePermissions(ctx.identity, admins, isNa ? Perm.DELETE_NA : Perm.DELETE_HANDLE, existing.handle);
      const record = await this.commit(() => this.store.delete(id.key, { expectVersion: existing.version }, meta(ctx)));
      return { record, created: false, changed: true };
    }
    if (req.op === 'replace' && !req.overwrite) throw new IdnError('IDN_ERR_ALREADY_EXISTS');
    const sealed =
      req.op === 'remove-indexes' ? req : { ...req, values: await sealSecrets(req.values, existing.values) };
    const plan = planValueChange(existing.values, sealed);
    requirePermissions(ctx.identity, admins, plan.needed, existing.handle);
    if (countAdmins(existing.values) > 0 && countAdmins(plan.values) === 0) throw new IdnError('IDN_ERR_LAST_ADMIN');
    if (plan.needed === 0) return { record: existing, created: false, changed: false };
    await this.runChecks(id, plan.values);
    const input = { handle: existing.handle, values: plan.values };
    const record = await this.commit(() =>
      this.store.put(id.key, input, { expectVersion: existing.version }, meta(ctx)),
    );
    return { record, created: false, changed: true };
  }
}

const meta = (ctx: WriteContext) => ({ actor: ctx.identity ? identityName(ctx.identity) : 'anonymous' });

const sortValues = (values: HandleValue[]): HandleValue[] => values.sort((a, b) => a.index - b.index);

/** The creator administers what it creates (Handle servers add the same default HS_ADMIN). */
function defaultAdmin(identity: Identity, isNa: boolean, now: string): HandleValue {
  return {
    index: 100,
    type: 'HS_ADMIN',
    data: {
      format: 'admin',
      value: {
        handle: identity.handle,
        index: identity.index,
        permissions: formatPermissions(isNa ? PERM_ALL : PERM_IDENTIFIER_OWNER),
      },
    },
    ttl: 86_400,
    timestamp: now,
    access: 'public',
  };
}
