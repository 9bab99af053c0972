import { IdnError } from '../../errors/idn-error.ts';
import { PERM_ALL } from '../../records/permissions.ts';
import type { ReadonlyStore } from '../../store/store.ts';
import { parseAdminRef } from '../admin-ref.ts';
import { adminSecret } from '../handle-challenge/admin-secret.ts';
import { ANSWER, verifyChallengeAnswer } from '../handle-challenge/answer.ts';
import { makeIdentity, type Identity } from '../identity.ts';
import type { SecretKeyring } from '../seal/keyring.ts';
import { isAuthenticating, parseHandleAuthorization, type HandleAuthorization } from './handle-header.ts';
import type { HandleSession, SessionStore } from './session-store.ts';

/**
 * One use of a REST session: `Authorization: Handle sessionId=...`, with a challenge answer
 * when it authenticates. As Handle.Net 9's StandardHandleAuthenticator does it, for HS_SECKEY:
 * the answer is `alg`'s code byte + `signature`, verified like a native-protocol answer with the
 * session's nonce as the nonce and the client's `cnonce` as the digest (auth/handle-challenge).
 */

export interface SessionDeps {
  readonly sessions: SessionStore;
  readonly keyring: SecretKeyring;
  readonly store: ReadonlyStore;
  /** Runs the secret check under the wrong-secret backoff (auth/failure-limiter.ts), for `<index>:<handle>`. */
  readonly guard: <T>(admin: string, check: () => Promise<T>) => Promise<T>;
}

export interface SessionUse {
  readonly session: HandleSession;
  readonly identity: Identity | undefined;
  /** The identity was proved by this very request (no need to re-read the admin record). */
  readonly fresh: boolean;
}

const invalid = (message: string): IdnError => new IdnError('IDN_ERR_INVALID_CREDENTIAL', message);

/** Handle.Net's names of the answer algorithms, compared ignoring case and punctuation. */
const ALG_CODES: ReadonlyMap<string, number> = new Map([
  ['MD5', ANSWER.MD5],
  ['SHA', ANSWER.SHA1],
  ['SHA1', ANSWER.SHA1],
  ['SHA256', ANSWER.SHA256],
  ['SHA2', ANSWER.SHA256],
  ['HMACSHA1', ANSWER.HMAC_SHA1],
  ['HMACSHA256', ANSWER.HMAC_SHA256],
  ['PBKDF2HMACSHA1', ANSWER.PBKDF2_HMAC_SHA1],
  ['PBKDF2WITHHMACSHA1', ANSWER.PBKDF2_HMAC_SHA1],
]);

const int4 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

function decimal(name: string, v: string): number {
  if (!/^\d{1,9}$/.test(v)) throw invalid(`Authorization: Handle ${name} must be a decimal integer.`);
  return Number(v);
}

/** The answer bytes the header stands for: code byte + signature (PBKDF2: salt, iterations, length folded in). */
function answerOf(h: HandleAuthorization & { alg: string; signature: string }): Buffer {
  const code = ALG_CODES.get(h.alg.toUpperCase().replace(/[^A-Z0-9]/g, ''));
  if (code === undefined) {
    throw invalid(
      `Authorization: Handle alg "${h.alg.slice(0, 30)}" is not one of SHA256, SHA1, MD5, HMAC-SHA256, HMAC-SHA1, PBKDF2-HMAC-SHA1.`,
    );
  }
  let signature = Buffer.from(h.signature, 'base64');
  if (
    code === ANSWER.PBKDF2_HMAC_SHA1 &&
    h.salt !== undefined &&
    h.iterations !== undefined &&
    h.length !== undefined
  ) {
    const salt = Buffer.from(h.salt, 'base64');
    const fields = [
      int4(salt.length),
      salt,
      int4(decimal('iterations', h.iterations)),
      int4(decimal('length', h.length)),
    ];
    signature = Buffer.concat([...fields, int4(signature.length), signature]);
  }
  return Buffer.concat([Buffer.from([code]), signature]);
}

const REQUIRED = ['id', 'type', 'alg', 'cnonce', 'signature'] as const;

async function prove(deps: SessionDeps, session: HandleSession, h: HandleAuthorization): Promise<Identity> {
  const missing = REQUIRED.filter((k) => h[k] === undefined);
  if (missing.length > 0) throw invalid(`Authorization: Handle lacks ${missing.join(', ')} to authenticate.`);
  const { id, type, alg, cnonce, signature } = h as Required<Pick<HandleAuthorization, (typeof REQUIRED)[number]>>;
  if (type !== 'HS_SECKEY') {
    throw invalid(`Authorization: Handle type "${type.slice(0, 20)}" is not supported here; use type="HS_SECKEY".`);
  }
  const { index, handle } = parseAdminRef(id);
  const answer = answerOf({ ...h, alg, signature });
  const record = await deps.guard(`${index}:${handle}`, async () => {
    const { secret, record } = await adminSecret(deps.store, deps.keyring, { handle, index });
    try {
      const digest = Buffer.from(cnonce, 'base64');
      if (!(await verifyChallengeAnswer({ secret, nonce: session.nonce, digest, answer }))) {
        deps.sessions.failed(session);
        throw new IdnError('IDN_ERR_CHALLENGE_FAILED');
      }
    } finally {
      secret.fill(0);
    }
    return record;
  });
  return makeIdentity(index, record.handle, 'session', PERM_ALL, record.version);
}

/** Parses the header's parameters, finds the session and, if the header answers its nonce, authenticates it. */
export async function useSession(deps: SessionDeps, params: string): Promise<SessionUse> {
  const h = parseHandleAuthorization(params);
  if (h.version !== undefined && h.version !== '0') {
    throw invalid(`Authorization: Handle version "${h.version.slice(0, 10)}" is unknown; send version="0" or none.`);
  }
  if (h.sessionId === undefined) {
    throw invalid('Authorization: Handle needs sessionId="…", from POST /api/sessions.');
  }
  const session = deps.sessions.use(h.sessionId);
  if (!isAuthenticating(h)) return { session, identity: session.identity, fresh: false };
  const identity = await prove(deps, session, h);
  deps.sessions.authenticated(session, identity);
  return { session, identity, fresh: true };
}
