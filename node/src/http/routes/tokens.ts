import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { issueToken } from '../../auth/bearer-token.ts';
import { identityName } from '../../auth/identity.ts';
import { IdnError } from '../../errors/idn-error.ts';
import { ErrorResponse } from '../../records/schema.ts';
import {
  PERM_ALL,
  PERM_NAMES_MSB_FIRST,
  PERMISSION_STRING,
  parsePermissions,
  permMaskOf,
  unknownPermNames,
} from '../../records/permissions.ts';
import type { AppContext } from '../app-context.ts';
import { WRITE_HANDLER_TIMEOUT_MS } from './handles-write.ts';
import { wallClock } from '../../auth/clock.ts';

const TokenBody = Type.Object({
  ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 30 * 86_400, default: 3600 })),
  permissions: Type.Optional(
    Type.Union([
      Type.String({
        pattern: PERMISSION_STRING.source,
        description:
          'Narrow the token to these HS_ADMIN bits, written as Handle writes them: most significant bit first, so the LAST character is ADD_HANDLE (see README "Permissions").',
      }),
      Type.Array(Type.String(), {
        minItems: 1,
        maxItems: 12,
        description: `Or the rights by name: ${PERM_NAMES_MSB_FIRST.join(', ')}.`,
      }),
    ]),
  ),
});
type TokenBody = Static<typeof TokenBody>;

const TokenResponse = Type.Object({
  token: Type.String(),
  tokenType: Type.Literal('Bearer'),
  subject: Type.String(),
  expiresAt: Type.String(),
});

/** The mask a token carries: every right, a Handle permission string, or rights by name. */
function tokenMask(p: TokenBody['permissions']): number {
  if (p === undefined) return PERM_ALL;
  if (typeof p === 'string') return parsePermissions(p);
  const unknown = unknownPermNames(p);
  if (unknown.length > 0) {
    throw new IdnError(
      'IDN_ERR_INVALID_BODY',
      `permissions: ${unknown.map((n) => `"${n.slice(0, 30)}"`).join(', ')} is not a right; the rights are ${PERM_NAMES_MSB_FIRST.join(', ')}.`,
    );
  }
  return permMaskOf(p);
}

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
      const identity = await ctx.authenticator.authenticate(request.headers.authorization, request.ip);
      if (!identity) throw new IdnError('IDN_ERR_AUTH_REQUIRED');
      if (identity.via !== 'basic')
        throw new IdnError('IDN_ERR_NOT_AUTHORIZED', 'Tokens are issued only against Basic credentials.');
      const ttl = request.body.ttlSeconds ?? 3600;
      const exp = Math.floor(wallClock.nowSeconds()) + ttl;
      const perm = tokenMask(request.body.permissions);
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
