import { createHash } from 'node:crypto';
import { IdnError } from '../../node/src/errors/idn-error.ts';
import { isUnderPrefix, parsePrefix, type ParsedPrefix } from '../../node/src/identifier/index.ts';
import { isLive, type StoredRecord } from '../../node/src/records/types.ts';
import type { Store } from '../../node/src/store/store.ts';
import { checkCreditCode } from './credit-code.ts';
import { Idempotency } from './idempotency.ts';
import { ADMIN_KEY_INDEX, ensurePrefixRecord, issueAdminSecret } from './prefix-records.ts';
import {
  REG_PREFIX,
  adminHandleOf,
  checkSimpleId,
  keyOf,
  lostRace,
  naHandleOf,
  putState,
  readState,
  requestHash,
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
   * The admin secret, present only in the first answer: only its scrypt hash is stored. A
   * replayed approval (same idempotency key) omits it; the owner then has the secret rotated.
   */
  readonly secret?: string;
}

const MAX_NUMBER_TRIES = 100;
const appHandle = (id: string): string => `${REG_PREFIX}/APP/${id}`;
const claimHandle = (prefixKey: string): string => `${REG_PREFIX}/CLAIM/${prefixKey}`;

interface Claim {
  readonly applicationId: string;
  readonly held: boolean;
}

export class EnterprisePrefixRegistry {
  readonly industryPrefix: string;
  readonly #industry: ParsedPrefix;
  readonly #store: Store;
  readonly #idem: Idempotency;

  constructor(store: Store, opts: { readonly industryPrefix: string }) {
    this.#industry = parsePrefix(opts.industryPrefix, 'text');
    this.industryPrefix = this.#industry.prefix;
    this.#store = store;
    this.#idem = new Idempotency(store);
  }

  async apply(input: ApplicationInput): Promise<Application> {
    const clean = checkApplication(input);
    const parent = await this.#checkParent(input.parentPrefix ?? this.industryPrefix);
    const body = requestHash({ ...clean, parent: parent.prefixKey, requested: input.requestedPrefix });
    const run = () => this.#submit(clean, parent, input.requestedPrefix);
    return (await this.#idem.run(`APPLY/${this.#industry.prefixKey}`, input.idempotencyKey, body, run)).result;
  }

  async get(id: string): Promise<Application> {
    const app = readState<Application>(await this.#store.get(keyOf(appHandle(checkSimpleId('application id', id)))));
    if (app === undefined) throw new IdnError('IDN_ERR_APPLICATION_NOT_FOUND', `No application ${id}.`);
    return app;
  }

  async approve(id: string, d: Decision): Promise<Approval> {
    checkSimpleId('application id', id);
    let secret: string | undefined;
    const run = async (): Promise<Approval> => {
      const out = await this.#approve(id, d);
      secret = out.secret;
      return {
        application: out.application,
        prefix: out.application.prefix,
        adminHandle: adminHandleOf(out.application.prefix),
        adminIndex: ADMIN_KEY_INDEX,
      };
    };
    const body = requestHash({ decision: 'approve', id, reviewer: d.reviewer, reason: d.reason });
    const { result } = await this.#idem.run(`DECIDE/${id}`, d.idempotencyKey, body, run);
    // The stored result never holds the secret; only the call that made it returns it.
    return secret === undefined ? result : { ...result, secret };
  }

  async reject(id: string, d: Decision): Promise<Application> {
    if (d.reason === undefined || d.reason.trim().length === 0) {
      throw new IdnError('IDN_ERR_BAD_REQUEST', 'A rejection needs a reason for the applicant.');
    }
    checkSimpleId('application id', id);
    const body = requestHash({ decision: 'reject', id, reviewer: d.reviewer, reason: d.reason });
    return (await this.#idem.run(`DECIDE/${id}`, d.idempotencyKey, body, () => this.#reject(id, d))).result;
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

  async #submit(
    clean: Omit<ApplicationInput, 'idempotencyKey'>,
    parent: ParsedPrefix,
    requested?: string,
  ): Promise<Application> {
    const { first } = await this.#store.allocate(`application-id`, 1);
    const id = `APP-${String(first).padStart(6, '0')}`;
    const prefix =
      requested === undefined ? await this.#claimNext(parent, id) : await this.#claimRequested(parent, requested, id);
    const app: Application = {
      ...clean,
      id,
      prefix,
      parentPrefix: parent.prefix,
      status: 'pending',
      submittedAt: new Date().toISOString(),
    };
    await putState(this.#store, appHandle(id), app, undefined, {
      actor: `applicant:${clean.creditCode}`,
      reason: 'prefix application',
    });
    return app;
  }

  async #claimRequested(parent: ParsedPrefix, requested: string, id: string): Promise<string> {
    const p = parsePrefix(requested, 'text');
    if (!isUnderPrefix(p.prefixKey, parent.prefixKey) || p.segments.length !== parent.segments.length + 1) {
      throw new IdnError('IDN_ERR_PREFIX_NOT_DELEGABLE', `${p.prefix} is not one level below ${parent.prefix}.`);
    }
    await this.#claim(p.prefix, id);
    return p.prefix;
  }

  /** The next number from a per-parent counter that is neither allocated, deleted nor claimed. */
  async #claimNext(parent: ParsedPrefix, id: string): Promise<string> {
    for (let i = 0; i < MAX_NUMBER_TRIES; i++) {
      const { first } = await this.#store.allocate(`prefix-number/${parent.prefixKey}`, 1);
      const prefix = `${parent.prefix}.${first}`;
      try {
        await this.#claim(prefix, id);
        return prefix;
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
  async #claim(prefix: string, applicationId: string): Promise<void> {
    const taken = (why: string) => new IdnError('IDN_ERR_PREFIX_TAKEN', `${prefix} ${why}.`, { prefix });
    if ((await this.#store.get(keyOf(naHandleOf(prefix)))) !== undefined) throw taken('already exists (or existed)');
    const handle = claimHandle(keyOf(naHandleOf(prefix)).slice(5));
    const current = await this.#store.get(keyOf(handle));
    if (readState<Claim>(current)?.held === true) throw taken('is applied for by another application');
    try {
      await putState(this.#store, handle, { applicationId, held: true } satisfies Claim, current, {
        actor: 'prefix-registry',
      });
    } catch (e) {
      throw lostRace(e) ? taken('was claimed concurrently') : e;
    }
  }

  async #release(prefix: string): Promise<void> {
    const handle = claimHandle(keyOf(naHandleOf(prefix)).slice(5));
    const current = await this.#store.get(keyOf(handle));
    const claim = readState<Claim>(current);
    if (claim === undefined) return;
    await putState(this.#store, handle, { ...claim, held: false }, current, {
      actor: 'prefix-registry',
      reason: 'application rejected',
    });
  }

  /** Moves an application from pending (or this approval's own 'approving') to `next`. */
  async #transition(
    id: string,
    from: (a: Application) => boolean,
    next: (a: Application) => Application,
  ): Promise<Application> {
    const record: StoredRecord | undefined = await this.#store.get(
      keyOf(appHandle(checkSimpleId('application id', id))),
    );
    const app = readState<Application>(record);
    if (app === undefined) throw new IdnError('IDN_ERR_APPLICATION_NOT_FOUND', `No application ${id}.`);
    if (!from(app)) throw new IdnError('IDN_ERR_APPLICATION_DECIDED', `Application ${id} is ${app.status}.`);
    const updated = next(app);
    try {
      await putState(this.#store, appHandle(id), updated, record, {
        actor: updated.reviewer ?? 'prefix-registry',
        reason: `application ${updated.status}`,
      });
    } catch (e) {
      throw lostRace(e)
        ? new IdnError('IDN_ERR_APPLICATION_DECIDED', `Application ${id} was decided concurrently.`)
        : e;
    }
    return updated;
  }

  async #approve(id: string, d: Decision): Promise<{ application: Application; secret: string }> {
    // Lock first ('approving' with this approval's token), so two approvals with different keys
    // cannot both re-key the admin record; a retry with the same key owns the lock and goes on.
    const token = createHash('sha256').update(d.idempotencyKey).digest('base64url');
    const mine = (a: Application) => a.status === 'pending' || (a.status === 'approving' && a.decisionToken === token);
    const locked = await this.#transition(id, mine, (a) => ({ ...a, status: 'approving', decisionToken: token }));
    const meta = { actor: d.reviewer, reason: `approve ${id}` };
    const owner = { applicationId: id, companyName: locked.companyName, creditCode: locked.creditCode };
    await ensurePrefixRecord(this.#store, locked.prefix, owner, meta);
    const secret = await issueAdminSecret(this.#store, locked.prefix, meta);
    const decided = { status: 'approved' as const, decidedAt: new Date().toISOString(), reviewer: d.reviewer };
    const application = await this.#transition(
      id,
      (a) => a.status === 'approving' && a.decisionToken === token,
      (a) => withReason({ ...a, ...decided, decisionToken: undefined }, d.reason),
    );
    return { application, secret };
  }

  async #reject(id: string, d: Decision): Promise<Application> {
    const decided = { status: 'rejected' as const, decidedAt: new Date().toISOString(), reviewer: d.reviewer };
    const app = await this.#transition(
      id,
      (a) => a.status === 'pending',
      (a) => withReason({ ...a, ...decided }, d.reason),
    );
    await this.#release(app.prefix);
    return app;
  }
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
