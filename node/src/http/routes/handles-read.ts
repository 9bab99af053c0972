import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { parseIdentifier } from '../../identifier/index.ts';
import { ErrorResponse, RecordResponse } from '../../records/schema.ts';
import { errorAnswer, type Want } from '../../resolve/answer.ts';
import type { AppContext } from '../app-context.ts';
import { reportedError } from '../errors.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { renderOutcome } from '../render/render-outcome.ts';
import { MAX_HISTORY_PAGE } from '../../audit/record-history.ts';
import { answerHistory, HistoryResponse } from './handles-history.ts';
import { readerCredentials } from '../reader-credentials.ts';

export const API_PREFIX = '/api/handles/';

const ReadQuery = Type.Object({
  index: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), { maxItems: 100 })),
  type: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 })),
  publicOnly: Type.Optional(Type.Boolean()),
  auth: Type.Optional(Type.Boolean({ description: 'Authoritative resolution (bypasses caches).' })),
  trace: Type.Optional(
    Type.Boolean({ description: 'Add `trace`: each stage and hop to another node, with its outcome and time.' }),
  ),
  history: Type.Optional(
    Type.Boolean({
      description:
        "The identifier's change history instead of its values (admins of the record or its prefix only), newest first.",
    }),
  ),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_HISTORY_PAGE,
      description: 'With history: entries per page (default 20).',
    }),
  ),
  before: Type.Optional(
    Type.Integer({ minimum: 1, description: 'With history: the `next` of the previous page (older entries).' }),
  ),
});
type ReadQuery = Static<typeof ReadQuery>;

const wantOf = (q: ReadQuery): Want => ({
  indexes: q.index ?? [],
  types: q.type ?? [],
  publicOnly: q.publicOnly === true,
  authoritative: q.auth === true,
  trace: q.trace === true,
});

/** Bad input (a query the schema refuses, an identifier that does not parse) is an answer too, with its provenance. */
export function refuseJson(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  void renderOutcome(reply, errorAnswer(reportedError(err, request)), 'json');
}

/** GET /api/handles/{id}: parse, answer, render; everything else is the ResolutionService's. */
export function registerHandlesRead(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: ReadQuery }>(
    `${API_PREFIX}*`,
    {
      schema: {
        summary: 'Resolve an identifier (Handle.Net v9 REST compatible)',
        tags: ['resolution'],
        querystring: ReadQuery,
        response: { 200: Type.Union([RecordResponse, HistoryResponse]), '4xx': ErrorResponse, '5xx': ErrorResponse },
      },
      errorHandler: refuseJson,
    },
    async (request, reply) => {
      const id = parseIdentifier(rawPathTail(request.url, API_PREFIX.length), 'uri');
      if (request.query.history === true) return answerHistory(ctx, request, reply, id, request.query);
      const answer = await ctx.resolution.answer(
        { id, route: 'api' },
        readerCredentials(request),
        wantOf(request.query),
      );
      return renderOutcome(reply, answer, 'json');
    },
  );
}
