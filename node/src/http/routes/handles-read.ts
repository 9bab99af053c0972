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
import { attachProof } from './log-proof.ts';
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
  proof: Type.Optional(
    Type.Boolean({
      description:
        'Add the header idnode-tlog-proof: the transparency-log proof of the version answered (C2SP tlog-proof@v1, base64).',
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
    (request, reply) => {
      const id = parseIdentifier(rawPathTail(request.url, API_PREFIX.length), 'uri');
      if (request.query.history === true) return answerHistory(ctx, request, reply, id, request.query);
      const asked = { id, route: 'api' };
      const reader = readerCredentials(request);
      const want = wantOf(request.query);
      if (request.query.proof === true) return answerWithProof(ctx, reply, asked, reader, want);
      // A cache hit is answered in this tick: no promise between the request and its bytes.
      const now = ctx.resolution.answerNow(asked, reader, want);
      if (now !== undefined) return void renderOutcome(reply, now, 'json');
      return ctx.resolution.answer(asked, reader, want).then((answer) => renderOutcome(reply, answer, 'json'));
    },
  );
}

/** Off the plain path: only a reader asking for the proof waits for the log. */
async function answerWithProof(
  ctx: AppContext,
  reply: FastifyReply,
  asked: Parameters<AppContext['resolution']['answer']>[0],
  reader: Parameters<AppContext['resolution']['answer']>[1],
  want: Want,
): Promise<FastifyReply> {
  const answer = await ctx.resolution.answer(asked, reader, want);
  if (answer.kind === 'found' || answer.kind === 'gone') {
    await attachProof(reply, ctx, answer.record.handle, answer.record.version);
  }
  return renderOutcome(reply, answer, 'json');
}
