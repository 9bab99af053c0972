import { createHash } from 'node:crypto';
import { IdnError } from '#core/errors/idn-error';
import { isUnderPrefix, parsePrefix, type ParsedPrefix } from '#core/identifier/index';
import type { SystemRecordChange } from '#core/records/change-set';
import { isLive, type StoredRecord } from '#core/records/types';
import type { AllocatedRange, ReadonlyStore } from '#core/store/store';
import { checkCreditCode } from './credit-code.ts';
import { Idempotency } from './idempotency.ts';
import { decide, type ApplySet, type Planned } from './plan.ts';
import { ADMIN_KEY_INDEX, adminRecordChange, prefixRecordChange } from './prefix-records.ts';
import {
  REG_PREFIX,
  adminHandleOf,
  checkSimpleId,
  keyOf,
  naHandleOf,
  readState,
  requestHash,
  stateChange,
} from './registry-records.ts';

/**
 * Enterprise prefix allocation on a secondary node: an enterprise applies (real-name data and
 * a wanted prefix, or the next free number), a reviewer approves or rejects (实名审核), and an
 * approval creates the prefix with a new admin secret returned once. Sub-prefixes
 * (88.100.5.2) are applied for the same way under their parent prefix.
 */

export interface Contact {
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
}

export interface ApplicationInput {
  readonly companyName: string;
  /** 统一社会信用代码, 18 characters, GB 32100-2015. */
  readonly creditCode: string;
  readonly contact: Contact;
  /** The exact prefix wanted (one segment below parentPrefix); omit for the next free number. */
  readonly requestedPrefix?: string;
  /** Where to allocate from: the node's industry prefix (default) or an enterprise prefix. */
  readonly parentPrefix?: string;
  readonly idempotencyKey: string;
}

export type ApplicationStatus = 'pending' | 'approving' | 'approved' | 'rejected';

export interface Application {
  readonly id: string;
  readonly prefix: string;
  readonly parentPrefix: string;
  readonly companyName: string;
  readonly creditCode: string;
  readonly contact: Contact;
  readonly status: ApplicationStatus;
  readonly submittedAt: string;
  readonly decidedAt?: string;
  readonly reviewer?: string;
  readonly reason?: string;
  /** While approving: which approval (hash of its idempotency key) holds the application. */
  readonly decisionToken?: string;
}

export interface Decision {
  readonly reviewer: string;
  readonly reason?: string;
  readonly idempotencyKey: string;
}

export interface Approval {
  readonly application: Application;
  readonly prefix: string;
  /** Authenticate as `300:<prefix>/ADMIN` with the secret. */
  readonly adminHandle: string;
  readonly adminIndex: number;
  /**
   * The admin secret, present only in the first answer: it is stored only sealed (ADR 0002). A
   * replayed approval (same idempotency key) omits it; the owner then has the secret rotated.
   */
  readonly secret?: string;
}

/** Reserves counter numbers (the node's RecordService.allocate): a number lost in a crash is a gap. */
export interface Counters {
  allocate(counter: string, count: number): Promise<AllocatedRange>;
}

const MAX_NUMBER_TRIES = 100;
const appHandle = (id: string): string => `${REG_PREFIX}/APP/${id}`;
const claimHandle = (prefixKey: string): string => `${REG_PREFIX}/CLAIM/${prefixKey}`;

interface Claim {
  readonly applicationId: string;
  readonly held: boolean;
}

/**
 * Every decision is one change set: the application's state, the claim on its prefix, the
 * prefix's records and the idempotency result commit together or not at all, so a crash can
 * neither leave a prefix without its approved application nor an approval without its result.
 * A decision that loses a race (two reviewers at once) is planned again and then sees the winner.
 */
export class EnterprisePrefixRegistry {
  readonly industryPrefix: string;
  readonly #industry: ParsedPrefix;
  readonly #store: ReadonlyStore;
  readonly #counters: Counters;
  readonly #idem: Idempotency;

  constructor(store: ReadonlyStore, opts: { readonly industryPrefix: string; readonly counters: Counters }) {
    this.#industry = parsePrefix(opts.industryPrefix, 'text');
    this.industryPrefix = this.#industry.prefix;
    this.#store = store;
    this.#counters = opts.counters;
    this.#idem = new Idempotency(store);
  }

  apply(input: ApplicationInput, apply: ApplySet): Promise<Application> {
    return decide(() => this.planApply(input), apply);
  }

  approve(id: string, d: Decision, apply: ApplySet): Promise<Approval> {
    return decide(() => this.planApprove(id, d), apply);
  }

  reject(id: string, d: Decision, apply: ApplySet): Promise<Application> {
    return decide(() => this.planReject(id, d), apply);
  }

  async get(id: string): Promise<Application> {
    return (await this.#read(id)).app;
  }

  /** A new application holding its prefix (requested, or the next free number under the parent). */
  async planApply(input: ApplicationInput): Promise<Planned<Application>> {
    const clean = checkApplication(input);
    const parent = await this.#checkParent(input.parentPrefix ?? this.industryPrefix);
    const body = requestHash({ ...clean, parent: parent.prefixKey, requested: input.requestedPrefix });
    const idem = await this.#idem.check<Application>(`APPLY/${this.#industry.prefixKey}`, input.idempotencyKey, body);
    if (idem.replayed) return { done: idem.result };
    const { first } = await this.#counters.allocate(`application-id`, 1);
    const id = `APP-${String(first).padStart(6, '0')}`;
    const requested = input.requestedPrefix;
    const claim =
      requested === undefined ? await this.#claimNext(parent, id) : await this.#claimRequested(parent, requested, id);
    const app: Application = {
      ...clean,
      id,
      prefix: claim.prefix,
      parentPrefix: parent.prefix,
      status: 'pending',
      submittedAt: new Date().toISOString(),
    };
    const system = [
      claim.change,
      stateChange(appHandle(id), app, undefined, 'registry-state', 'prefix application'),
      idem.record(app),
    ];
    return { set: { changes: [], system, reason: 'prefix application' }, finish: () => app };
  }

  /**
   * Approval: the prefix's two records (the admin secret sealed by RecordService, returned here
   * once), the application approved, and the result, in one commit. A replay omits the secret.
   */
  async planApprove(id: string, d: Decision): Promise<Planned<Approval>> {
    checkSimpleId('application id', id);
    const body = requestHash({ decision: 'approve', id, reviewer: d.reviewer, reason: d.reason });
    const idem = await this.#idem.check<Approval>(`DECIDE/${id}`, d.idempotencyKey, body);
    if (idem.replayed) return { done: idem.result };
    const { record, app } = await this.#read(id);
    // 'approving' is what an older version left while it approved step by step: the same key goes on.
    const token = createHash('sha256').update(d.idempotencyKey).digest('base64url');
    if (!(app.status === 'pending' || (app.status === 'approving' && app.decisionToken === token))) {
      throw new IdnError('IDN_ERR_APPLICATION_DECIDED', `Application ${id} is ${app.status}.`);
    }
    const owner = { applicationId: id, companyName: app.companyName, creditCode: app.creditCode };
    const [na, adminRecord] = await Promise.all([
      this.#store.get(keyOf(naHandleOf(app.prefix))),
      this.#store.get(keyOf(adminHandleOf(app.prefix))),
    ]);
    const naChange = prefixRecordChange(app.prefix, owner, na);
    const admin = adminRecordChange(app.prefix, adminRecord);
    const decided = { status: 'approved' as const, decidedAt: new Date().toISOString(), reviewer: d.reviewer };
    const application = withReason({ ...app, ...decided }, d.reason);
    const result: Approval = {
      application,
      prefix: app.prefix,
      adminHandle: adminHandleOf(app.prefix),
      adminIndex: ADMIN_KEY_INDEX,
    };
    const set = {
      changes: naChange === undefined ? [admin.change] : [naChange, admin.change],
      system: [
        stateChange(appHandle(id), application, record, 'registry-state', 'application approved'),
        idem.record(result),
      ],
      reason: `approve ${id}`,
    };
    // The stored result never holds the secret; only the call that made it returns it.
    return { set, finish: () => ({ ...result, secret: admin.secret }) };
  }

  /** Rejection (a reason is required): the application rejected and its prefix released, one commit. */
  async planReject(id: string, d: Decision): Promise<Planned<Application>> {
    if (d.reason === undefined || d.reason.trim().length === 0) {
      throw new IdnError('IDN_ERR_BAD_REQUEST', 'A rejection needs a reason for the applicant.');
    }
    checkSimpleId('application id', id);
    const body = requestHash({ decision: 'reject', id, reviewer: d.reviewer, reason: d.reason });
    const idem = await this.#idem.check<Application>(`DECIDE/${id}`, d.idempotencyKey, body);
    if (idem.replayed) return { done: idem.result };
    const { record, app } = await this.#read(id);
    if (app.status !== 'pending')
      throw new IdnError('IDN_ERR_APPLICATION_DECIDED', `Application ${id} is ${app.status}.`);
    const decided = { status: 'rejected' as const, decidedAt: new Date().toISOString(), reviewer: d.reviewer };
    const application = withReason({ ...app, ...decided }, d.reason);
    const release = await this.#release(app.prefix);
    const system = [
      stateChange(appHandle(id), application, record, 'registry-state', 'application rejected'),
      ...(release === undefined ? [] : [release]),
      idem.record(application),
    ];
    return { set: { changes: [], system, reason: `reject ${id}` }, finish: () => application };
  }

  async #read(id: string): Promise<{ record: StoredRecord; app: Application }> {
    const record = await this.#store.get(keyOf(appHandle(checkSimpleId('application id', id))));
    const app = readState<Application>(record);
    if (record === undefined || app === undefined) {
      throw new IdnError('IDN_ERR_APPLICATION_NOT_FOUND', `No application ${id}.`);
    }
    return { record, app };
  }

  async #checkParent(text: string): Promise<ParsedPrefix> {
    const parent = parsePrefix(text, 'text');
    if (!isUnderPrefix(parent.prefixKey, this.#industry.prefixKey)) {
      throw new IdnError('IDN_ERR_PREFIX_NOT_DELEGABLE', `${parent.prefix} is not under ${this.industryPrefix}.`);
    }
    if (!isLive(await this.#store.get(keyOf(naHandleOf(parent.prefix))))) {
      throw new IdnError('IDN_ERR_PREFIX_NOT_FOUND', `Parent prefix ${parent.prefix} does not exist here.`);
    }
    return parent;
  }

  async #claimRequested(parent: ParsedPrefix, requested: string, id: string): Promise<PrefixClaim> {
    const p = parsePrefix(requested, 'text');
    if (!isUnderPrefix(p.prefixKey, parent.prefixKey) || p.segments.length !== parent.segments.length + 1) {
      throw new IdnError('IDN_ERR_PREFIX_NOT_DELEGABLE', `${p.prefix} is not one level below ${parent.prefix}.`);
    }
    return this.#claim(p.prefix, id);
  }

  /** The next number from a per-parent counter that is neither allocated, deleted nor claimed. */
  async #claimNext(parent: ParsedPrefix, id: string): Promise<PrefixClaim> {
    for (let i = 0; i < MAX_NUMBER_TRIES; i++) {
      const { first } = await this.#counters.allocate(`prefix-number/${parent.prefixKey}`, 1);
      try {
        return await this.#claim(`${parent.prefix}.${first}`, id);
      } catch (e) {
        if (!(e instanceof IdnError && e.code === 'IDN_ERR_PREFIX_TAKEN')) throw e;
      }
    }
    throw new IdnError(
      'IDN_ERR_UNAVAILABLE',
      `No free prefix number under ${parent.prefix} after ${MAX_NUMBER_TRIES} tries.`,
    );
  }

  /** Holds `prefix` for one application; a prefix that exists, ever existed, or is held is taken. */
  async #claim(prefix: string, applicationId: string): Promise<PrefixClaim> {
    const taken = (why: string) => new IdnError('IDN_ERR_PREFIX_TAKEN', `${prefix} ${why}.`, { prefix });
    if ((await this.#store.get(keyOf(naHandleOf(prefix)))) !== undefined) throw taken('already exists (or existed)');
    const handle = claimHandle(keyOf(naHandleOf(prefix)).slice(5));
    const current = await this.#store.get(keyOf(handle));
    if (readState<Claim>(current)?.held === true) throw taken('is applied for by another application');
    const change = stateChange(handle, { applicationId, held: true } satisfies Claim, current, 'registry-state');
    return { prefix, change };
  }

  async #release(prefix: string): Promise<SystemRecordChange | undefined> {
    const handle = claimHandle(keyOf(naHandleOf(prefix)).slice(5));
    const current = await this.#store.get(keyOf(handle));
    const claim = readState<Claim>(current);
    if (claim === undefined) return undefined;
    return stateChange(handle, { ...claim, held: false }, current, 'registry-state', 'application rejected');
  }
}

interface PrefixClaim {
  readonly prefix: string;
  readonly change: SystemRecordChange;
}

const withReason = (a: Application, reason: string | undefined): Application => {
  const { decisionToken: _drop, ...rest } = a;
  return reason === undefined ? rest : { ...rest, reason };
};

function checkApplication(
  input: ApplicationInput,
): Omit<ApplicationInput, 'idempotencyKey' | 'requestedPrefix' | 'parentPrefix'> {
  const name = input.companyName.trim();
  if (name.length === 0 || name.length > 200) {
    throw new IdnError('IDN_ERR_INVALID_APPLICATION', 'The company name must be 1-200 characters.');
  }
  if (
    input.contact.name.trim().length === 0 ||
    (input.contact.email === undefined && input.contact.phone === undefined)
  ) {
    throw new IdnError(
      'IDN_ERR_INVALID_APPLICATION',
      'The contact needs a name and an e-mail address or a phone number.',
    );
  }
  return { companyName: name, creditCode: checkCreditCode(input.creditCode), contact: input.contact };
}
