import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { hasPermissions } from '../../auth/authorise.ts';
import { issueToken, verifyToken } from '../../auth/bearer-token.ts';
import { identityName, type Identity } from '../../auth/identity.ts';
import { naHandleOf } from '../../authority/homed-prefixes.ts';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier } from '../../identifier/index.ts';
import { Perm, PERM_ALL } from '../../records/permissions.ts';
import { ErrorResponse } from '../../records/schema.ts';
import { isLive } from '../../records/types.ts';
import type { AppContext } from '../app-context.ts';
import {
  clearSessionCookie,
  csrfToken,
  foreignOrigin,
  SESSION_TTL_SECONDS,
  sessionTokenOf,
  setSessionCookie,
} from '../console/session-cookie.ts';
import { WRITE_HANDLER_TIMEOUT_MS } from './handles-write.ts';
import { wallClock } from '../../auth/clock.ts';

const SignIn = Type.Object({
  user: Type.String({ minLength: 3, maxLength: 300, description: 'The admin, e.g. 300:88.100.5/ADMIN' }),
  secret: Type.String({ minLength: 1, maxLength: 1000 }),
});
type SignIn = Static<typeof SignIn>;

/** Secure cookies when the node is reached over HTTPS: directly, or behind a proxy named by IDNODE_PUBLIC_URL. */
const secure = (ctx: AppContext, request: FastifyRequest): boolean =>
  request.protocol === 'https' || (ctx.passport.publicUrl?.startsWith('https:') ?? false);

/** What the admin may do on each prefix it could act on: the homed ones and its own handle's prefix. */
async function rights(ctx: AppContext, identity: Identity) {
  const own = parseIdentifier(identity.handle, 'text').prefix;
  const candidates = [...new Set([...ctx.homed.prefixes, own])].filter((p) => ctx.homed.covers(p.toLowerCase()));
  const out = [];
  for (const prefix of candidates) {
    const na = await ctx.store.get(parseIdentifier(naHandleOf(prefix), 'text').key);
    if (!isLive(na)) continue;
    const may = (bits: number) => hasPermissions(identity, na.values, bits);
    const r = {
      prefix,
      review: may(Perm.ADD_NA),
      register: may(Perm.ADD_HANDLE),
      list: may(Perm.LIST_HANDLES),
      audit: may(Perm.READ_VALUE),
    };
    if (r.review || r.register || r.list || r.audit) out.push(r);
  }
  return out;
}

/**
 * The user as HTTP Basic carries it: the colon of `300:88.100.5/ADMIN` percent-encoded (a literal
 * one would end the user name), and index 300 (the admin key) when only the handle is typed.
 */
function basicUser(typed: string): string {
  const user = typed.trim();
  if (/^\d{1,10}%3A/i.test(user)) return user;
  return encodeURIComponent(/^\d{1,10}:/.test(user) ? user : `300:${user}`);
}

async function describe(ctx: AppContext, identity: Identity, token: string, exp: number) {
  return {
    user: identityName(identity),
    expiresAt: new Date(exp * 1000).toISOString(),
    csrfToken: csrfToken(ctx.tokenKey, token),
    prefixes: await rights(ctx, identity),
  };
}

/**
 * The console's sign-in: POST /api/session trades the admin handle and secret (checked by the
 * Authenticator exactly as HTTP Basic) for a session cookie; GET says who is signed in and gives
 * the CSRF token; DELETE signs out. Everything else the console does goes to the ordinary API.
 */
export function registerSession(app: FastifyInstance, ctx: AppContext): void {
  const common = { handlerTimeout: WRITE_HANDLER_TIMEOUT_MS };
  app.post<{ Body: SignIn }>(
    '/api/session',
    {
      ...common,
      schema: {
        summary: 'Sign in (console): admin handle and secret for a short-lived session cookie',
        tags: ['auth'],
        body: SignIn,
        response: { '4xx': ErrorResponse },
      },
    },
    async (request, reply) => {
      // Login CSRF: another site must not sign a browser in as someone else.
      const foreign = foreignOrigin(request);
      if (foreign !== undefined) throw new IdnError('IDN_ERR_CSRF_CHECK', foreign);
      const { user, secret } = request.body;
      const basic = `Basic ${Buffer.from(`${basicUser(user)}:${secret}`).toString('base64')}`;
      const identity = await ctx.authenticator.authenticate(basic, request.ip);
      if (identity === undefined) throw new IdnError('IDN_ERR_AUTH_REQUIRED');
      const exp = Math.floor(wallClock.nowSeconds()) + SESSION_TTL_SECONDS;
      const token = issueToken(ctx.tokenKey, {
        sub: identityName(identity),
        kv: identity.keyVersion,
        perm: PERM_ALL,
        exp,
      });
      setSessionCookie(reply, token, secure(ctx, request));
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(await describe(ctx, identity, token, exp));
    },
  );
  app.get(
    '/api/session',
    {
      ...common,
      schema: { summary: 'The signed-in admin and its CSRF token', tags: ['auth'], response: { '4xx': ErrorResponse } },
    },
    async (request, reply) => {
      const token = sessionTokenOf(request, ctx.tokenKey);
      if (token === undefined) throw new IdnError('IDN_ERR_AUTH_REQUIRED', 'Not signed in: POST /api/session first.');
      // The cookie hook set Authorization from this very token: authenticate as every route does.
      const identity = await ctx.authenticator.authenticate(`Bearer ${token}`, request.ip);
      if (identity === undefined) throw new IdnError('IDN_ERR_AUTH_REQUIRED');
      const exp = verifyToken(ctx.tokenKey, token)?.exp ?? 0;
      return reply.header('cache-control', 'no-store').send(await describe(ctx, identity, token, exp));
    },
  );
  app.delete(
    '/api/session',
    { schema: { summary: 'Sign out (clears the session cookie)', tags: ['auth'] } },
    (request, reply) => {
      clearSessionCookie(reply, secure(ctx, request));
      return reply.code(204).send();
    },
  );
}
