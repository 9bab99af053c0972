import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { renderSerial, serialSuffixes } from '../../../../prefix-registry/src/index.ts';
import { identityName } from '../../auth/identity.ts';
import { Perm } from '../../records/permissions.ts';
import { ErrorResponse } from '../../records/schema.ts';
import { registryPrincipal } from '../../write/principal.ts';
import type { AppContext } from '../app-context.ts';
import { homedPrefix, idempotencyKey, registryActor, requireIdentity, requireOnPrefix } from './admin-common.ts';

const Params = Type.Object({ prefix: Type.String({ maxLength: 64 }) });
type Params = Static<typeof Params>;
const Body = Type.Object({
  count: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  pattern: Type.Optional(Type.String({ maxLength: 200, description: 'One {n} or {n:W} placeholder, e.g. "SN-{n:9}"' })),
});
type Body = Static<typeof Body>;

/** Up to this many suffixes are listed in the answer; a bigger range gives its first and last (pattern + numbers say the rest). */
const LISTED_MAX = 1000;

const Range = Type.Object({
  prefix: Type.String(),
  pattern: Type.String(),
  first: Type.Integer(),
  last: Type.Integer(),
  count: Type.Integer(),
  replayed: Type.Boolean(),
  firstSuffix: Type.String(),
  lastSuffix: Type.String(),
  suffixes: Type.Optional(Type.Array(Type.String(), { description: `Every suffix, for ranges up to ${LISTED_MAX}` })),
});

/** The numbers as the suffixes the caller registers: the pattern applied, as the registry renders it. */
function withSuffixes<R extends { pattern: string; first: number; last: number; count: number }>(range: R) {
  return {
    ...range,
    firstSuffix: renderSerial(range.pattern, range.first),
    lastSuffix: renderSerial(range.pattern, range.last),
    ...(range.count <= LISTED_MAX ? { suffixes: [...serialSuffixes(range)] } : {}),
  };
}

/** POST /api/admin/prefixes/{prefix}/serials: reserve a range of serial numbers; replayable by Idempotency-Key. */
export function registerAdminSerials(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: Params; Body: Body }>(
    '/api/admin/prefixes/:prefix/serials',
    {
      schema: {
        summary: 'Allocate serial numbers (retry with the same Idempotency-Key returns the same range)',
        tags: ['registry'],
        params: Params,
        body: Body,
        response: { 200: Range, 201: Range, '4xx': ErrorResponse },
      },
    },
    async (request, reply) => {
      const identity = await requireIdentity(ctx, request);
      const prefix = homedPrefix(ctx, request.params.prefix);
      await requireOnPrefix(ctx, identity, prefix, Perm.ADD_HANDLE);
      // The range and its idempotency result are one commit: a retry after a crash gets that range.
      const who = registryPrincipal(registryActor(identityName(identity)));
      const range = await ctx.registry.serials.allocateSerials(
        prefix,
        request.body.count,
        {
          idempotencyKey: idempotencyKey(request),
          ...(request.body.pattern === undefined ? {} : { pattern: request.body.pattern }),
        },
        (set) => ctx.records.apply(set, who),
      );
      return reply.code(range.replayed ? 200 : 201).send(withSuffixes(range));
    },
  );
}
