import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier, type ParsedIdentifier } from '../../identifier/index.ts';
import type { AppliedChange, IdentifierChange } from '../../records/change-set.ts';
import { ErrorResponse, RecordBody } from '../../records/schema.ts';
import { writeOutage } from '../../write/commit-ops.ts';
import { clientPrincipal } from '../../write/principal.ts';
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

/** The change a PUT asks for; its values go to the service exactly as sent (it validates them). */
function putChange(id: ParsedIdentifier, body: RecordBody, q: PutQuery): IdentifierChange {
  if (q.index === undefined || q.index.length === 0) {
    return q.overwrite === false
      ? { op: 'create', id, values: body.values }
      : { op: 'replace', id, values: body.values };
  }
  return { op: 'upsert-indexes', id, values: body.values, indexes: q.index };
}

/** A header line stays short: the warnings are advice (the write happened), the first few say enough. */
const MAX_WARNING_CHARS = 1000;
function warningHeader(warnings: readonly string[]): string {
  const line = warnings.join('; ');
  return line.length <= MAX_WARNING_CHARS ? line : `${line.slice(0, MAX_WARNING_CHARS - 4)} ...`;
}

/** Parses, calls RecordService.apply with one change, renders: no write rule lives here. */
async function runWrite(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: AppContext,
  build: (id: ParsedIdentifier) => IdentifierChange,
): Promise<FastifyReply> {
  const id = parseIdentifier(rawPathTail(request.url, API_PREFIX.length), 'uri');
  const ifMatch = parseIfMatch(request.headers['if-match']);
  if (ifMatch === 'invalid')
    throw new IdnError('IDN_ERR_BAD_REQUEST', 'If-Match must be an ETag from a previous read, e.g. "3".');
  // An outage while checking the credentials stops the write before it starts: say so.
  const identity = await ctx.authenticator
    .authenticate(request.headers.authorization, request.ip)
    .catch((e: unknown) => {
      throw writeOutage(e, 'before-commit');
    });
  const change = { ...build(id), ...(ifMatch === undefined ? {} : { ifMatch }) };
  let applied: AppliedChange;
  try {
    [applied] = (await ctx.records.apply({ changes: [change] }, clientPrincipal(identity))).changes as [AppliedChange];
  } catch (e) {
    if (e instanceof IdnError) return sendError(reply, e, id.handle);
    throw e;
  }
  const created = applied.status === 'created';
  reply.header('etag', `"${applied.record.version}"`);
  if (applied.warnings !== undefined) reply.header('x-idnode-warning', warningHeader(applied.warnings));
  if (created) reply.header('location', `${API_PREFIX}${encodeURI(id.handle)}`);
  return reply
    .code(created ? 201 : 200)
    .send({ responseCode: 1, handle: applied.record.handle, version: applied.record.version });
}

/** Writes wait on locks and durable commits: bound them (reads have stage deadlines instead). */
export const WRITE_HANDLER_TIMEOUT_MS = 10_000;

/** The methods an identifier's API URL takes (GET and HEAD read, PUT and DELETE write). */
export const HANDLE_METHODS = 'GET, HEAD, PUT, DELETE';

/**
 * POST or PATCH on /api/handles/{id} is a real route taking the wrong method (405 with Allow), not
 * a missing one. Refused in onRequest: before any body is read, whatever its type.
 */
function refuseOtherMethods(app: FastifyInstance): void {
  app.route({
    method: ['POST', 'PATCH'],
    url: `${API_PREFIX}*`,
    schema: { hide: true },
    onRequest: async (request, reply) => {
      const e = new IdnError(
        'IDN_ERR_METHOD_NOT_ALLOWED',
        `${request.method} is not a method of an identifier's URL; it takes ${HANDLE_METHODS} (PUT creates or replaces).`,
      );
      return sendError(reply.header('allow', HANDLE_METHODS), e);
    },
    handler: (_request, reply) => reply,
  });
}

export function registerHandlesWrite(app: FastifyInstance, ctx: AppContext): void {
  refuseOtherMethods(app);
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
    (request, reply) => runWrite(request, reply, ctx, (id) => putChange(id, request.body, request.query)),
  );
  app.delete<{ Querystring: DeleteQuery }>(
    `${API_PREFIX}*`,
    {
      handlerTimeout: WRITE_HANDLER_TIMEOUT_MS,
      schema: {
        summary:
          'Delete a record (404 afterwards, as in Handle; the name may be created again unless the prefix sets never-reuse), or only the values named by ?index=',
        tags: ['registration'],
        querystring: DeleteQuery,
        response: responses,
      },
    },
    (request, reply) =>
      runWrite(request, reply, ctx, (id) =>
        request.query.index?.length ? { op: 'remove-indexes', id, indexes: request.query.index } : { op: 'delete', id },
      ),
  );
}
