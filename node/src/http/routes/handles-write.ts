import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier, type ParsedIdentifier } from '../../identifier/index.ts';
import { ErrorResponse, RecordBody } from '../../records/schema.ts';
import { validateValues } from '../../records/validate-values.ts';
import type { WriteResult } from '../../write/handle-writer.ts';
import type { WriteRequest } from '../../write/write-plan.ts';
import type { AppContext } from '../app-context.ts';
import { sendError } from '../errors.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { parseIfMatch } from '../render/record-json.ts';
import { API_PREFIX } from './handles-read.ts';

const PutQuery = Type.Object({
  overwrite: Type.Optional(Type.Boolean({ default: true, description: 'false: fail with 409 if the record exists.' })),
  index: Type.Optional(
    Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100, description: 'Add or replace only these values.' }),
  ),
});
type PutQuery = Static<typeof PutQuery>;

const DeleteQuery = Type.Object({
  index: Type.Optional(
    Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100, description: 'Remove only these values.' }),
  ),
});
type DeleteQuery = Static<typeof DeleteQuery>;

const WriteResponse = Type.Object({
  responseCode: Type.Integer(),
  handle: Type.String(),
  version: Type.Integer({ description: 'The record version after the write; also the ETag.' }),
});

function putRequest(body: RecordBody, q: PutQuery, now: string): WriteRequest {
  const values = validateValues(body.values, now);
  if (q.index === undefined || q.index.length === 0) return { op: 'replace', values, overwrite: q.overwrite !== false };
  const wanted = new Set(q.index);
  const picked = values.filter((v) => wanted.has(v.index));
  const missing = q.index.filter((i) => !values.some((v) => v.index === i));
  if (missing.length > 0) {
    throw new IdnError(
      'IDN_ERR_INVALID_RECORD',
      `The body has no value at index ${missing.join(', ')} named in ?index=.`,
    );
  }
  return { op: 'upsert-indexes', values: picked };
}

/** Bounded metric label for a write: create, update or delete. */
function opLabel(req: WriteRequest, result: WriteResult | undefined): 'create' | 'update' | 'delete' {
  if (req.op === 'delete') return 'delete';
  return result?.created === true ? 'create' : 'update';
}

async function runWrite(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: AppContext,
  build: (id: ParsedIdentifier, now: string) => WriteRequest,
): Promise<FastifyReply> {
  const id = parseIdentifier(rawPathTail(request.url, API_PREFIX.length), 'uri');
  const ifMatch = parseIfMatch(request.headers['if-match']);
  if (ifMatch === 'invalid')
    throw new IdnError('IDN_ERR_BAD_REQUEST', 'If-Match must be an ETag from a previous read, e.g. "3".');
  const identity = await ctx.authenticator.authenticate(request.headers.authorization);
  const now = new Date().toISOString();
  let result: WriteResult;
  const req = build(id, now);
  try {
    result = await ctx.writer.write(id, req, { identity, now, ...(ifMatch === undefined ? {} : { ifMatch }) });
  } catch (e) {
    ctx.metrics.registrations.labels(opLabel(req, undefined), 'error').inc();
    if (e instanceof IdnError) return sendError(reply, e, id.handle);
    throw e;
  }
  ctx.metrics.registrations.labels(opLabel(req, result), 'ok').inc();
  reply.header('etag', `"${result.record.version}"`);
  if (result.created) reply.header('location', `${API_PREFIX}${encodeURI(id.handle)}`);
  return reply
    .code(result.created ? 201 : 200)
    .send({ responseCode: 1, handle: result.record.handle, version: result.record.version });
}

/** Writes wait on locks and durable commits: bound them (reads have stage deadlines instead). */
export const WRITE_HANDLER_TIMEOUT_MS = 10_000;

export function registerHandlesWrite(app: FastifyInstance, ctx: AppContext): void {
  const responses = { 200: WriteResponse, 201: WriteResponse, '4xx': ErrorResponse, '5xx': ErrorResponse };
  app.put<{ Body: RecordBody; Querystring: PutQuery }>(
    `${API_PREFIX}*`,
    {
      handlerTimeout: WRITE_HANDLER_TIMEOUT_MS,
      schema: {
        summary: 'Create or replace a record, or add/replace single values with ?index=',
        tags: ['registration'],
        body: RecordBody,
        querystring: PutQuery,
        response: responses,
      },
    },
    (request, reply) => runWrite(request, reply, ctx, (_id, now) => putRequest(request.body, request.query, now)),
  );
  app.delete<{ Querystring: DeleteQuery }>(
    `${API_PREFIX}*`,
    {
      handlerTimeout: WRITE_HANDLER_TIMEOUT_MS,
      schema: {
        summary: 'Delete a record (leaves a tombstone: 410 afterwards), or only the values named by ?index=',
        tags: ['registration'],
        querystring: DeleteQuery,
        response: responses,
      },
    },
    (request, reply) =>
      runWrite(request, reply, ctx, () =>
        request.query.index?.length ? { op: 'remove-indexes', indexes: request.query.index } : { op: 'delete' },
      ),
  );
}
