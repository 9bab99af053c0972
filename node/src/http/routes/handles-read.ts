import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier } from '../../identifier/index.ts';
import { ErrorResponse, RecordResponse } from '../../records/schema.ts';
import type { StoredRecord } from '../../records/types.ts';
import type { AppContext } from '../app-context.ts';
import { sendError } from '../errors.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { etagOf, readerTier, selectValues } from '../render/record-json.ts';

export const API_PREFIX = '/api/handles/';

const ReadQuery = Type.Object({
  index: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), { maxItems: 100 })),
  type: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 })),
  publicOnly: Type.Optional(Type.Boolean()),
  auth: Type.Optional(Type.Boolean({ description: 'Authoritative resolution (bypasses caches).' })),
});
type ReadQuery = Static<typeof ReadQuery>;

/** Cache lifetime of a body: the shortest TTL among the values it shows. */
function maxAge(values: readonly { ttl: number }[]): number {
  let m = 86_400;
  for (const v of values) if (v.ttl < m) m = v.ttl;
  return m;
}

function sendRecord(
  reply: FastifyReply,
  record: StoredRecord,
  q: ReadQuery,
  authorization: string | undefined,
  ctx: AppContext,
) {
  return async (ifNoneMatch: string | undefined): Promise<FastifyReply> => {
    const identity = await ctx.authenticator.authenticate(authorization);
    const tier = readerTier(record, identity, q.publicOnly === true);
    const values = selectValues(record, tier, { indexes: q.index ?? [], types: q.type ?? [] });
    const etag = etagOf(record, tier);
    reply.header('etag', etag);
    reply.header('cache-control', tier === 'public' ? `public, max-age=${maxAge(values)}` : 'private, no-store');
    if (ifNoneMatch === etag) return reply.code(304).send();
    const filtered = (q.index?.length ?? 0) + (q.type?.length ?? 0) > 0;
    const responseCode = values.length === 0 && filtered ? 200 : 1;
    const body = JSON.stringify({ responseCode, handle: record.handle, values });
    return reply.type('application/json; charset=utf-8').send(body);
  };
}

export function registerHandlesRead(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: ReadQuery }>(
    `${API_PREFIX}*`,
    {
      schema: {
        summary: 'Resolve an identifier (Handle.Net v9 REST compatible)',
        tags: ['resolution'],
        querystring: ReadQuery,
        response: { 200: RecordResponse, '4xx': ErrorResponse, '5xx': ErrorResponse },
      },
    },
    async (request, reply) => {
      const id = parseIdentifier(rawPathTail(request.url, API_PREFIX.length), 'uri');
      const outcome = await ctx.resolve({ id, authoritative: request.query.auth === true });
      switch (outcome.kind) {
        case 'found':
          // Which stage answered (cache, store, upstream, stale): stale answers must be recognisable.
          reply.header('x-idnode-source', outcome.source);
          // An emergency-takeover answer (a synced copy on the top-level node) is not authoritative: say so.
          reply.header('x-idnode-authoritative', outcome.authoritative === false ? 'false' : 'true');
          return sendRecord(
            reply,
            outcome.record,
            request.query,
            request.headers.authorization,
            ctx,
          )(request.headers['if-none-match']);
        case 'not-found':
          return sendError(reply, new IdnError(outcome.gone ? 'IDN_ERR_GONE' : 'IDN_ERR_NOT_FOUND'), id.handle);
        case 'referral':
          return sendError(
            reply,
            new IdnError('IDN_ERR_NOT_RESPONSIBLE', `Ask ${outcome.target} for ${outcome.prefix}.`),
            id.handle,
          );
        case 'error':
          return sendError(reply, outcome.error, id.handle);
      }
    },
  );
}
