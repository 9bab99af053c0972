import { createHmac, timingSafeEqual } from 'node:crypto';
import cookie, { fastifyCookie } from '@fastify/cookie';
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
export function sessionTokenOf(request: FastifyRequest, tokenKey: Buffer): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  // The plugin's own parser (no parse options are configured), usable outside the plugin's scope.
  const token = fastifyCookie.parse(header)[SESSION_COOKIE];
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

/**
 * The cookie-to-Authorization hook, on every route: the cookie (Path=/api) authenticates any API
 * call of the console, not only the session routes. It parses nothing itself for a request without
 * a cookie or with Authorization (scanners and scripts): two header reads.
 */
export function registerSessionCookie(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', (request, reply, done) => {
    // Scanners send no cookie and scripts send Authorization: both pass at the cost of two reads.
    if (request.headers.cookie === undefined || request.headers.authorization !== undefined) return done();
    const token = sessionTokenOf(request, ctx.tokenKey);
    if (token === undefined) return done();
    if (!SAFE_METHODS.has(request.method)) {
      const problem = csrfProblem(request, ctx.tokenKey, token);
      if (problem !== undefined) return void sendError(reply, new IdnError('IDN_ERR_CSRF_CHECK', problem));
    }
    request.headers.authorization = `Bearer ${token}`;
    done();
  });
}

/**
 * Routes that set or clear the cookie, in a scope of their own with @fastify/cookie: its onSend
 * hook (writing Set-Cookie) and its reply decorators then exist for them only, not on every answer
 * of the node (a cache hit ran that hook for nothing).
 */
export async function registerCookieRoutes(
  app: FastifyInstance,
  routes: (scope: FastifyInstance) => void,
): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(cookie, { hook: false });
    routes(scope);
  });
}
