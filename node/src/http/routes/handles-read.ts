import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS } from '../../access/reader.ts';
import { Type, type Static } from 'typebox';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier } from '../../identifier/index.ts';
import { ErrorResponse, RecordResponse } from '../../records/schema.ts';
import type { AccessTier, StoredRecord } from '../../records/types.ts';
import type { Outcome } from '../../resolve/outcome.ts';
import type { AppContext } from '../app-context.ts';
import { sendError } from '../errors.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { etagOf, selectValues, type ValueFilter } from '../render/record-json.ts';

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

/** A response ready to write: built once per (answer, tier) and kept with a cached answer. */
interface RenderedRecord {
  /** Encoded once: a hit writes bytes, with no JSON or UTF-8 encoding per request. */
  readonly body: Buffer;
  readonly etag: string;
  readonly cacheControl: string;
}

function render(record: StoredRecord, tier: AccessTier, filter: ValueFilter): RenderedRecord {
  const values = selectValues(record, tier, filter);
  const filtered = filter.indexes.length + filter.types.length > 0;
  const responseCode = values.length === 0 && filtered ? 200 : 1;
  return {
    body: Buffer.from(JSON.stringify({ responseCode, handle: record.handle, values })),
    etag: etagOf(record, tier),
    cacheControl: tier === 'public' ? `public, max-age=${maxAge(values)}` : 'private, no-store',
  };
}

const NO_FILTER: ValueFilter = { indexes: [], types: [] };

async function sendRecord(
  request: FastifyRequest<{ Querystring: ReadQuery }>,
  reply: FastifyReply,
  found: Outcome & { kind: 'found' },
  ctx: AppContext,
): Promise<FastifyReply> {
  const q = request.query;
  const auth = request.headers.authorization;
  const reader =
    auth === undefined ? ANONYMOUS : await ctx.readers.readerFor(auth, found.record, q.publicOnly === true);
  const filter = q.index || q.type ? { indexes: q.index ?? [], types: q.type ?? [] } : NO_FILTER;
  const r =
    filter === NO_FILTER
      ? found.memo.get(`json:${reader.tier}`, () => render(found.record, reader.tier, NO_FILTER))
      : render(found.record, reader.tier, filter);
  reply.header('etag', r.etag).header('cache-control', r.cacheControl);
  if (request.headers['if-none-match'] === r.etag) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(r.body);
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
          return sendRecord(request, reply, outcome, ctx);
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
