import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS } from '../../access/reader.ts';
import { auditRead } from '../../audit/audit-read.ts';
import { Type, type Static } from 'typebox';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier } from '../../identifier/index.ts';
import { ErrorResponse, RecordResponse } from '../../records/schema.ts';
import type { AccessTier, StoredRecord } from '../../records/types.ts';
import type { Outcome } from '../../resolve/outcome.ts';
import { RenderMemo } from '../../resolve/render-memo.ts';
import { TraceSink } from '../../resolve/trace.ts';
import { derivedRecord } from '../../resolve/stages/template.ts';
import { walkUp } from '../../resolve/stages/walk-up.ts';
import type { AppContext } from '../app-context.ts';
import { errorBody, markError, sendError } from '../errors.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { etagOf, selectValues, type ValueFilter } from '../render/record-json.ts';

export const API_PREFIX = '/api/handles/';

const ReadQuery = Type.Object({
  index: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), { maxItems: 100 })),
  type: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 })),
  publicOnly: Type.Optional(Type.Boolean()),
  auth: Type.Optional(Type.Boolean({ description: 'Authoritative resolution (bypasses caches).' })),
  trace: Type.Optional(
    Type.Boolean({ description: 'Add `trace`: each stage and hop to another node, with its outcome and time.' }),
  ),
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

type Found = Outcome & { kind: 'found' };

/**
 * Asked for a type the record lacks (or does not show this reader): walk up to the batch, model or
 * enterprise record that has it, when the enterprise configured walk-up (WALKUP, BATCH, MODEL).
 */
async function walkUpForTypes(ctx: AppContext, found: Found, tier: AccessTier, filter: ValueFilter): Promise<Found> {
  if (found.resolvedVia !== undefined && found.resolvedVia !== 'template') return found;
  const id = parseIdentifier(found.record.handle, 'text');
  const hit = await walkUp(ctx.resolve, id, {
    item: found.record,
    accept: (r) => selectValues(r, tier, filter).length > 0,
  });
  if (hit === undefined) return found;
  const record = derivedRecord(id, hit.record);
  return { ...found, record, memo: new RenderMemo(), resolvedVia: hit.level, answeredBy: hit.record.handle };
}

async function sendRecord(
  request: FastifyRequest<{ Querystring: ReadQuery }>,
  reply: FastifyReply,
  asked: Found,
  ctx: AppContext,
  trace?: TraceSink,
): Promise<FastifyReply> {
  const q = request.query;
  const auth = request.headers.authorization;
  const reader =
    auth === undefined ? ANONYMOUS : await ctx.readers.readerFor(auth, asked.record, q.publicOnly === true);
  const filter = q.index || q.type ? { indexes: q.index ?? [], types: q.type ?? [] } : NO_FILTER;
  const lacksType =
    filter !== NO_FILTER && filter.types.length > 0 && selectValues(asked.record, reader.tier, filter).length === 0;
  const found = lacksType ? await walkUpForTypes(ctx, asked, reader.tier, filter) : asked;
  if (found.resolvedVia !== undefined) {
    reply.header('x-idnode-resolved-via', found.resolvedVia).header('x-idnode-resolved-from', found.answeredBy);
  }
  if (reader.tier !== 'public') {
    auditRead(ctx, reader, found.record, selectValues(found.record, reader.tier, filter), {
      route: 'api',
      ...(found.resolvedVia === undefined ? {} : { resolvedVia: found.resolvedVia, answeredBy: found.answeredBy }),
    });
  }
  if (trace !== undefined) return sendTraced(reply, render(found.record, reader.tier, filter), trace);
  const r =
    filter === NO_FILTER
      ? found.memo.get(`json:${reader.tier}`, () => render(found.record, reader.tier, NO_FILTER))
      : render(found.record, reader.tier, filter);
  reply.header('etag', r.etag).header('cache-control', r.cacheControl);
  if (request.headers['if-none-match'] === r.etag) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(r.body);
}

/** A traced answer is never memoised, cached by clients or answered 304: it is about this one request. */
function sendTraced(reply: FastifyReply, r: RenderedRecord, trace: TraceSink): FastifyReply {
  const body = { ...(JSON.parse(r.body.toString('utf8')) as object), trace: trace.spans };
  reply.header('cache-control', 'private, no-store').header('etag', r.etag);
  return reply.type('application/json; charset=utf-8').send(Buffer.from(JSON.stringify(body)));
}

/** As sendError, with the trace in the body (sent as bytes: the error schema would drop the field). */
function sendTracedError(reply: FastifyReply, e: IdnError, handle: string, trace: TraceSink): FastifyReply {
  markError(reply, e);
  const body = { ...errorBody(e, handle), trace: trace.spans };
  return reply
    .code(e.spec.http)
    .type('application/json; charset=utf-8')
    .send(Buffer.from(JSON.stringify(body)));
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
      // auth=true skips every cache: bounded, so that it cannot be turned against the backend.
      if (request.query.auth === true && !ctx.authoritativeReads.take()) {
        return sendError(reply.header('retry-after', '1'), new IdnError('IDN_ERR_RATE_LIMITED'), id.handle);
      }
      const trace = request.query.trace === true ? new TraceSink() : undefined;
      const outcome = await ctx.resolve({
        id,
        authoritative: request.query.auth === true,
        ...(trace === undefined ? {} : { trace }),
      });
      const fail = (e: IdnError): FastifyReply =>
        trace === undefined ? sendError(reply, e, id.handle) : sendTracedError(reply, e, id.handle, trace);
      switch (outcome.kind) {
        case 'found':
          // Which stage answered (cache, store, upstream, stale): stale answers must be recognisable.
          reply.header('x-idnode-source', outcome.source);
          // An emergency-takeover answer (a synced copy on the top-level node) is not authoritative: say so.
          reply.header('x-idnode-authoritative', outcome.authoritative === false ? 'false' : 'true');
          return sendRecord(request, reply, outcome, ctx, trace);
        case 'not-found':
          return fail(new IdnError(outcome.gone ? 'IDN_ERR_GONE' : 'IDN_ERR_NOT_FOUND'));
        case 'referral':
          return fail(new IdnError('IDN_ERR_NOT_RESPONSIBLE', `Ask ${outcome.target} for ${outcome.prefix}.`));
        case 'error':
          return fail(outcome.error);
      }
    },
  );
}
