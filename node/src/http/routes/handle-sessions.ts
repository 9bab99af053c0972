import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { identityName } from '../../auth/identity.ts';
import type { HandleSession } from '../../auth/sessions/session-store.ts';
import { IdnError } from '../../errors/idn-error.ts';
import { ErrorResponse } from '../../records/schema.ts';
import type { AppContext } from '../app-context.ts';
import { WRITE_HANDLER_TIMEOUT_MS } from './handles-write.ts';

/**
 * REST sessions as Handle.Net 9 serves them (its SessionsServlet), for clients that authenticate
 * with an admin's secret key without sending it: POST /api/sessions opens one (sessionId, nonce);
 * the client answers the nonce in `Authorization: Handle sessionId=…, id=…, type="HS_SECKEY",
 * alg=…, cnonce=…, signature=…` on PUT/POST /api/sessions/this or on any request; afterwards
 * `Authorization: Handle sessionId=…` alone authenticates. DELETE /api/sessions/this ends it.
 * Sessions are named by the header only (no cookie) and, unlike Handle.Net, are served over plain
 * HTTP too, as Basic is (put TLS in front of a node reachable from outside).
 */

const SessionView = Type.Object({
  sessionId: Type.Optional(Type.String()),
  nonce: Type.Optional(Type.String({ description: 'The server nonce, base64' })),
  authenticated: Type.Optional(Type.Boolean()),
  id: Type.Optional(Type.String({ description: 'The authenticated admin, e.g. 300:88.100.5/ADMIN' })),
  expiresAt: Type.Optional(Type.String({ description: 'When the session ends unless used (idnode)' })),
});

const THIS = '/api/sessions/this';

function view(ctx: AppContext, session: HandleSession) {
  return {
    sessionId: session.id,
    nonce: session.nonce.toString('base64'),
    ...(session.identity ? { authenticated: true, id: identityName(session.identity) } : {}),
    expiresAt: new Date(ctx.authenticator.sessions.expiresAtWallMs(session)).toISOString(),
  };
}

/** The parameters of an `Authorization: Handle …` header, or undefined for another scheme or none. */
function handleParams(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^\s*Handle(?:\s+([\s\S]*))?$/i.exec(header);
  return m === null ? undefined : (m[1] ?? '');
}

const schema = (summary: string, ok: number) => ({
  summary,
  tags: ['auth'],
  response: { [ok]: SessionView, '4xx': ErrorResponse },
});

export function registerHandleSessions(app: FastifyInstance, ctx: AppContext): void {
  const auth = ctx.authenticator;
  // Handle.Net clients POST with or without a JSON body; none of it is read.
  const opts = (summary: string, ok: number) => ({
    handlerTimeout: WRITE_HANDLER_TIMEOUT_MS,
    schema: schema(summary, ok),
  });

  app.post(
    '/api/sessions',
    opts('Open a REST session: a session id and the nonce to answer', 201),
    async (request, reply) => {
      const header = request.headers.authorization;
      const params = handleParams(header);
      if (params !== undefined && /\bsessionId\s*=/i.test(params)) {
        throw new IdnError(
          'IDN_ERR_BAD_REQUEST',
          `POST /api/sessions opens a new session; use ${THIS} for an existing one.`,
        );
      }
      // Basic or Bearer on this request authenticates the new session at once (as Handle.Net does for Basic).
      const identity = params === undefined ? await auth.authenticate(header, request.ip) : undefined;
      const session = auth.sessions.open();
      if (identity !== undefined) auth.sessions.authenticated(session, identity);
      return reply.code(201).header('location', THIS).send(view(ctx, session));
    },
  );

  const current = async (request: { headers: { authorization?: string | undefined }; ip: string }) => {
    const params = handleParams(request.headers.authorization);
    if (params === undefined) return undefined;
    return (await auth.session(params, request.ip)).session;
  };

  app.get(THIS, { schema: schema('The session named by Authorization: Handle sessionId=…', 200) }, async (request) => {
    const session = await current(request);
    return session === undefined ? { authenticated: false } : view(ctx, session);
  });

  for (const method of ['put', 'post'] as const) {
    app[method](
      THIS,
      opts('Authenticate the session: Authorization: Handle with a challenge answer', 200),
      async (request) => {
        const session = await current(request);
        if (session === undefined) {
          throw new IdnError(
            'IDN_ERR_AUTH_REQUIRED',
            'Send Authorization: Handle sessionId=…, id=…, type, alg, cnonce, signature.',
          );
        }
        return view(ctx, session);
      },
    );
  }

  app.delete(
    THIS,
    { schema: { summary: 'End the session', tags: ['auth'], response: { '4xx': ErrorResponse } } },
    async (request, reply) => {
      const session = await current(request);
      if (session === undefined) throw new IdnError('IDN_ERR_SESSION_EXPIRED');
      auth.sessions.close(session.id);
      return reply.code(204).send();
    },
  );
}
