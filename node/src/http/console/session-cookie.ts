import { createHmac, timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyToken } from '../../auth/bearer-token.ts';
import { IdnError } from '../../errors/idn-error.ts';
import type { AppContext } from '../app-context.ts';
import { sendError } from '../errors.ts';

/**
 * The console's session: the cookie holds a short-lived Bearer token of the signed-in admin
 * (issued by POST /api/session exactly as POST /api/tokens issues one), HttpOnly, SameSite=Strict,
 * Path=/api. A request carrying the cookie and no Authorization header is given
 * `Authorization: Bearer <token>` before any route runs, so every route authenticates it through
 * the same Authenticator with the same identity and rights as a script: there is no console-only
 * path. Writes (any method but GET/HEAD/OPTIONS) with the cookie must also carry the session's
 * CSRF token in `x-idnode-csrf` (an HMAC of the session token, served by GET /api/session and kept
 * in page memory only) and, when the browser sends one, a same-origin `Origin`.
 */

export const SESSION_COOKIE = 'idnode_session';
export const CSRF_HEADER = 'x-idnode-csrf';
/** Short-lived on purpose: a lost laptop's session ends within this; signing in again is cheap. */
export const SESSION_TTL_SECONDS = 30 * 60;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfToken(tokenKey: Buffer, sessionToken: string): string {
  return createHmac('sha256', tokenKey).update(`csrf:${sessionToken}`).digest('base64url');
}

const equal = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The request's own origin, as a browser writes it in `Origin`. */
export const ownOrigin = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;

/** Why a cross-site request must be refused, or undefined. Same-origin fetches send their Origin. */
export function foreignOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (origin === undefined || origin === ownOrigin(request)) return undefined;
  return `The request comes from ${origin.slice(0, 100)}, not ${ownOrigin(request)}.`;
}

function csrfProblem(request: FastifyRequest, tokenKey: Buffer, session: string): string | undefined {
  const foreign = foreignOrigin(request);
  if (foreign !== undefined) return foreign;
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !equal(sent, csrfToken(tokenKey, session))) {
    return `A write with the session cookie needs the ${CSRF_HEADER} header from GET /api/session.`;
  }
  return undefined;
}

/** The session token of a request's cookie, if it has one that is well signed and unexpired. */
export function sessionTokenOf(app: FastifyInstance, request: FastifyRequest, tokenKey: Buffer): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  const token = app.parseCookie(header)[SESSION_COOKIE];
  return token !== undefined && verifyToken(tokenKey, token) !== undefined ? token : undefined;
}

export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/api',
    maxAge: SESSION_TTL_SECONDS,
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/api' });
}

/** Cookie parsing on demand (no hook of the plugin's own) and the cookie-to-Authorization hook. */
export async function registerSessionCookie(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(cookie, { hook: false });
  app.addHook('onRequest', (request, reply, done) => {
    // Scanners send no cookie and scripts send Authorization: both pass at the cost of two reads.
    if (request.headers.cookie === undefined || request.headers.authorization !== undefined) return done();
    const token = sessionTokenOf(app, request, ctx.tokenKey);
    if (token === undefined) return done();
    if (!SAFE_METHODS.has(request.method)) {
      const problem = csrfProblem(request, ctx.tokenKey, token);
      if (problem !== undefined) return void sendError(reply, new IdnError('IDN_ERR_CSRF_CHECK', problem));
    }
    request.headers.authorization = `Bearer ${token}`;
    done();
  });
}
