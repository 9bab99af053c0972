import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { issueToken } from '../../auth/bearer-token.ts';
import { identityName } from '../../auth/identity.ts';
import { IdnError } from '../../errors/idn-error.ts';
import { ErrorResponse } from '../../records/schema.ts';
import { PERM_ALL, PERMISSION_STRING, parsePermissions } from '../../records/permissions.ts';
import type { AppContext } from '../app-context.ts';
import { WRITE_HANDLER_TIMEOUT_MS } from './handles-write.ts';

const TokenBody = Type.Object({
  ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 30 * 86_400, default: 3600 })),
  permissions: Type.Optional(
    Type.String({
      pattern: PERMISSION_STRING.source,
      description: 'Narrow the token to these HS_ADMIN bits (MSB first).',
    }),
  ),
});
type TokenBody = Static<typeof TokenBody>;

const TokenResponse = Type.Object({
  token: Type.String(),
  tokenType: Type.Literal('Bearer'),
  subject: Type.String(),
  expiresAt: Type.String(),
});

/** POST /api/tokens: trade HTTP Basic admin credentials for a Bearer token (revoked when the admin secret rotates). */
export function registerTokens(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: TokenBody }>(
    '/api/tokens',
    {
      handlerTimeout: WRITE_HANDLER_TIMEOUT_MS,
      schema: {
        summary: 'Issue a Bearer token for an admin (authenticate with HTTP Basic)',
        tags: ['auth'],
        body: TokenBody,
        response: { 201: TokenResponse, '4xx': ErrorResponse },
      },
    },
    async (request, reply) => {
      const identity = await ctx.authenticator.authenticate(request.headers.authorization);
      if (!identity) throw new IdnError('IDN_ERR_AUTH_REQUIRED');
      if (identity.via !== 'basic')
        throw new IdnError('IDN_ERR_NOT_AUTHORIZED', 'Tokens are issued only against Basic credentials.');
      const ttl = request.body.ttlSeconds ?? 3600;
      const exp = Math.floor(Date.now() / 1000) + ttl;
      const perm = request.body.permissions === undefined ? PERM_ALL : parsePermissions(request.body.permissions);
      // Bind the token to the key version the secret was verified against, not to a later read:
      // a rotation landing between the two must still revoke this token.
      const token = issueToken(ctx.tokenKey, { sub: identityName(identity), kv: identity.keyVersion, perm, exp });
      return reply.code(201).send({
        token,
        tokenType: 'Bearer',
        subject: identityName(identity),
        expiresAt: new Date(exp * 1000).toISOString(),
      });
    },
  );
}
