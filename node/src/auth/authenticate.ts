import { IdnError } from '../errors/idn-error.ts';
import { parseIdentifier } from '../identifier/index.ts';
import { isSecretKeyType } from '../records/admin-value.ts';
import { isLive, type StoredRecord } from '../records/types.ts';
import type { ReadonlyStore } from '../store/store.ts';
import { verifyToken } from './bearer-token.ts';
import { storeLookup, type GroupLookup } from './authorise.ts';
import { CredentialCache } from './credential-cache.ts';
import { parseUser } from './admin-ref.ts';
import { makeIdentity, type Identity } from './identity.ts';
import { useSession, type SessionDeps, type SessionUse } from './sessions/handle-session.ts';
import { SessionStore } from './sessions/session-store.ts';
import { PERM_ALL } from '../records/permissions.ts';
import type { SealedSecret } from '../records/sealed-secret.ts';
import type { SecretKeyring } from './seal/keyring.ts';
import { matchStoredSecret } from './seal/stored-secret.ts';
import { AuthLimiter } from './failure-limiter.ts';

/**
 * Re-seals an admin's secret key stored in an older form (a legacy scrypt hash, or sealed under a
 * rotated-out seal key) after a successful Basic login proved it: writes it again through
 * RecordService (wired in app.ts) and answers the record's new version, or undefined when it
 * could not (another writer won, the admin is not homed here): the login still succeeds.
 */
export type Reseal = (handle: string, index: number, secret: string, version: number) => Promise<number | undefined>;

export interface AuthenticatorOptions {
  /** Opens sealed HS_SECKEY values (the same keyring RecordService seals with). */
  readonly keyring: SecretKeyring;
  readonly reseal?: Reseal;
  /** REST sessions (POST /api/sessions); default settings when absent. */
  readonly sessions?: SessionStore;
  /** Backoff after wrong secrets (ADR 0010); default settings when absent. */
  readonly limiter?: AuthLimiter;
}

/**
 * Turns an Authorization header into an Identity, as Handle REST clients send it:
 * `Basic base64("300%3A88.100.5/ADMIN:secret")`, or `Bearer idn1....` from POST /api/tokens.
 */
export class Authenticator {
  private readonly cache = new CredentialCache();
  private readonly store: ReadonlyStore;
  private readonly tokenKey: Buffer;
  private readonly opts: AuthenticatorOptions;
  /** HS_VLIST admin groups as the store holds them, for authorisation of the identities this returns. */
  readonly groups: GroupLookup;
  /** REST sessions, challenged with `Authorization: Handle` (auth/sessions/handle-session.ts). */
  readonly sessions: SessionStore;
  /** The one backoff every secret check goes through: Basic, sessions, and the native protocol's verifier. */
  readonly limiter: AuthLimiter;

  constructor(store: ReadonlyStore, tokenKey: Buffer, opts: AuthenticatorOptions) {
    this.store = store;
    this.tokenKey = tokenKey;
    this.opts = opts;
    this.groups = storeLookup(store);
    this.sessions = opts.sessions ?? new SessionStore();
    this.limiter = opts.limiter ?? new AuthLimiter();
  }

  /** `client`: the caller's address (request.ip), which the wrong-secret backoff is keyed on. */
  async authenticate(header: string | undefined, client = 'unknown'): Promise<Identity | undefined> {
    if (header === undefined || header === '') return undefined;
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const rest = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'basic') return this.basic(rest, client);
    if (scheme === 'bearer') return this.bearer(rest);
    if (scheme === 'handle') return (await this.session(rest, client)).identity;
    throw new IdnError(
      'IDN_ERR_INVALID_CREDENTIAL',
      `Unsupported Authorization scheme "${scheme.slice(0, 20)}"; use Basic, Bearer or Handle.`,
    );
  }

  /**
   * `Authorization: Handle ...` (the text after the scheme): the session it names, authenticated
   * now when the header carries a challenge answer, and the identity the session holds (undefined:
   * not authenticated yet). The admin's key record changing ends the session, as it revokes tokens.
   */
  async session(params: string, client = 'unknown'): Promise<SessionUse> {
    const use = await useSession(this.sessionDeps(client), params);
    const identity = use.identity;
    if (identity === undefined || use.fresh) return use;
    const record = await this.adminRecord(identity.handle);
    if (record?.version !== identity.keyVersion) {
      this.sessions.close(use.session.id);
      throw new IdnError('IDN_ERR_SESSION_EXPIRED', "The session ended: the admin's key record changed; log in again.");
    }
    return use;
  }

  private sessionDeps(client: string): SessionDeps {
    return {
      sessions: this.sessions,
      keyring: this.opts.keyring,
      store: this.store,
      guard: (admin, check) => this.limiter.guard({ path: 'session', client, admin }, check),
    };
  }

  private async basic(b64: string, client: string): Promise<Identity> {
    const decoded = Buffer.from(b64, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0)
      throw new IdnError(
        'IDN_ERR_INVALID_CREDENTIAL',
        'Basic credentials must be "<index>%3A<admin-handle>:<secret>".',
      );
    const user = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    if (/^\d{1,10}$/.test(user)) throw literalColon(user, secret);
    const { index, handle } = parseUser(user);
    const who = `${index}:${handle}`;
    return this.limiter.guard({ path: 'basic', client, admin: who }, () => this.checkBasic(index, handle, secret));
  }

  private async checkBasic(index: number, handle: string, secret: string): Promise<Identity> {
    const record = await this.adminRecord(handle);
    const who = `${index}:${handle}`;
    const cacheKey = CredentialCache.key(who.toLowerCase(), secret, record?.version ?? -1);
    if (record && this.cache.has(cacheKey))
      return makeIdentity(index, record.handle, 'basic', PERM_ALL, record.version);
    // The key is the HS_SECKEY value at the index the user names, wherever that index is (Handle).
    const value = record?.values.find((v) => v.index === index && isSecretKeyType(v.type));
    const match = await matchStoredSecret(this.opts.keyring, value?.data, secret);
    if (match === false || !record || !value) throw new IdnError('IDN_ERR_AUTH_FAILED');
    const version = (await this.resealIfOld(record, value, match, secret)) ?? record.version;
    this.cache.add(CredentialCache.key(who.toLowerCase(), secret, version));
    return makeIdentity(index, record.handle, 'basic', PERM_ALL, version);
  }

  /** A legacy or stale form, proved by this login, is sealed anew (ADR 0002): the new version, if written. */
  private async resealIfOld(
    record: StoredRecord,
    value: StoredRecord['values'][number],
    match: 'sealed' | 'scrypt',
    secret: string,
  ): Promise<number | undefined> {
    const reseal = this.opts.reseal;
    const stale = match === 'scrypt' || this.opts.keyring.isStale(value.data.value as SealedSecret);
    if (!stale || reseal === undefined) return undefined;
    try {
      return await reseal(record.handle, value.index, secret, record.version);
    } catch {
      return undefined;
    }
  }

  private async bearer(token: string): Promise<Identity> {
    const claims = verifyToken(this.tokenKey, token);
    // Counted, not backed off: a token is HMAC-signed with a 256-bit key, not a guessable secret.
    if (!claims) this.limiter.observer.failure('bearer');
    if (!claims) throw new IdnError('IDN_ERR_AUTH_FAILED', 'The bearer token is invalid or expired.');
    const { index, handle } = parseUser(claims.sub);
    const record = await this.adminRecord(handle);
    if (!record || record.version !== claims.kv) {
      throw new IdnError('IDN_ERR_AUTH_FAILED', 'The bearer token was revoked (the admin key changed).');
    }
    return makeIdentity(index, record.handle, 'bearer', claims.perm, record.version);
  }

  private async adminRecord(handle: string): Promise<StoredRecord | undefined> {
    const r = await this.store.get(parseIdentifier(handle, 'text').key);
    return isLive(r) ? r : undefined;
  }
}

/**
 * `curl -u "300:88.100.5/ADMIN:secret"`: Basic splits user from secret at the FIRST colon, so the
 * user arrives as "300". Say so, and how to write it, instead of echoing the form the user typed.
 */
function literalColon(index: string, rest: string): IdnError {
  const handle = rest.includes(':') ? rest.slice(0, rest.indexOf(':')) : '<admin-handle>';
  return new IdnError(
    'IDN_ERR_INVALID_CREDENTIAL',
    `The Basic user arrived as "${index}": Basic ends the user at its first ":", so the colon inside the user ` +
      `must be encoded as %3A, e.g. curl -u "${index}%3A${handle.slice(0, 80)}:<secret>".`,
  );
}
