import { IdnError } from '../errors/idn-error.ts';
import { parseIdentifier } from '../identifier/index.ts';
import { isSecretKeyType } from '../records/admin-value.ts';
import { isLive, type StoredRecord } from '../records/types.ts';
import type { ReadonlyStore } from '../store/store.ts';
import { verifyToken } from './bearer-token.ts';
import { storeLookup, type GroupLookup } from './authorise.ts';
import { CredentialCache } from './credential-cache.ts';
import { makeIdentity, type Identity } from './identity.ts';
import { PERM_ALL } from '../records/permissions.ts';
import { isSecretHash, verifySecret } from './secret-hash.ts';

/**
 * Turns an Authorization header into an Identity, as Handle REST clients send it:
 * `Basic base64("300%3A88.100.5/ADMIN:secret")`, or `Bearer idn1....` from POST /api/tokens.
 */
export class Authenticator {
  private readonly cache = new CredentialCache();
  private readonly store: ReadonlyStore;
  private readonly tokenKey: Buffer;
  /** HS_VLIST admin groups as the store holds them, for authorisation of the identities this returns. */
  readonly groups: GroupLookup;

  constructor(store: ReadonlyStore, tokenKey: Buffer) {
    this.store = store;
    this.tokenKey = tokenKey;
    this.groups = storeLookup(store);
  }

  async authenticate(header: string | undefined): Promise<Identity | undefined> {
    if (header === undefined || header === '') return undefined;
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const rest = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'basic') return this.basic(rest);
    if (scheme === 'bearer') return this.bearer(rest);
    throw new IdnError(
      'IDN_ERR_INVALID_CREDENTIAL',
      `Unsupported Authorization scheme "${scheme.slice(0, 20)}"; use Basic or Bearer.`,
    );
  }

  private async basic(b64: string): Promise<Identity> {
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
    const record = await this.adminRecord(handle);
    const who = `${index}:${handle}`;
    const cacheKey = CredentialCache.key(who.toLowerCase(), secret, record?.version ?? -1);
    if (record && this.cache.has(cacheKey))
      return makeIdentity(index, record.handle, 'basic', PERM_ALL, record.version);
    // The key is the HS_SECKEY value at the index the user names, wherever that index is (Handle).
    const stored = record?.values.find((v) => v.index === index && isSecretKeyType(v.type))?.data.value;
    // Hash even when the admin does not exist so that timing does not reveal which handles exist.
    const ok = isSecretHash(stored) ? await verifySecret(secret, stored) : (await verifySecret(secret, DUMMY), false);
    if (!ok || !record) throw new IdnError('IDN_ERR_AUTH_FAILED');
    this.cache.add(cacheKey);
    return makeIdentity(index, record.handle, 'basic', PERM_ALL, record.version);
  }

  private async bearer(token: string): Promise<Identity> {
    const claims = verifyToken(this.tokenKey, token);
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

const DUMMY = { alg: 'scrypt', N: 16384, r: 8, p: 1, salt: 'AAAAAAAAAAAAAAAAAAAAAA==', hash: 'AAAA' } as const;

/** `300%3A88.100.5/ADMIN` (Handle clients percent-encode the colon) or `300:88.100.5/ADMIN`. */
export function parseUser(user: string): { index: number; handle: string } {
  let u: string;
  try {
    u = decodeURIComponent(user);
  } catch {
    throw new IdnError('IDN_ERR_INVALID_CREDENTIAL', 'The Basic user name is not valid percent-encoding.');
  }
  const m = /^(\d{1,10}):(.+)$/.exec(u);
  if (!m)
    throw new IdnError(
      'IDN_ERR_INVALID_CREDENTIAL',
      'The user must be "<index>:<admin-handle>", e.g. 300:88.100.5/ADMIN.',
    );
  const index = Number(m[1]);
  try {
    return { index, handle: parseIdentifier(m[2] ?? '', 'text').handle };
  } catch (e) {
    throw new IdnError(
      'IDN_ERR_INVALID_CREDENTIAL',
      `The admin handle is not a valid identifier: ${(e as Error).message}`,
    );
  }
}
