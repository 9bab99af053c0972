import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { requireAdmin } from '../../auth/authorise.ts';
import { naHandleOf } from '../../authority/homed-prefixes.ts';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier, parsePrefix } from '../../identifier/index.ts';
import { Perm } from '../../records/permissions.ts';
import { ErrorResponse } from '../../records/schema.ts';
import { isLive } from '../../records/types.ts';
import type { AppContext } from '../app-context.ts';
import { WRITE_HANDLER_TIMEOUT_MS } from './handles-write.ts';

const ListQuery = Type.Object({
  prefix: Type.String({
    minLength: 1,
    maxLength: 256,
    description: 'List identifiers under this prefix (e.g. 88.100.5).',
  }),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 1024, description: 'The `next` value of the previous page.' })),
  startsWith: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Only suffixes beginning with this text (matched as lookup is: ASCII case-insensitive, NFC).',
    }),
  ),
});
type ListQuery = Static<typeof ListQuery>;

const ListResponse = Type.Object({
  responseCode: Type.Integer(),
  prefix: Type.String(),
  handles: Type.Array(Type.String()),
  next: Type.Optional(Type.String()),
});

/**
 * The store key prefix to list: `<prefix>/`, or `<prefix>/<start>` normalised by the one parser
 * (a suffix start the grammar refuses is refused with the parser's own error).
 */
function listKeyPrefix(prefix: string, startsWith: string | undefined): string {
  if (startsWith === undefined) return `${parsePrefix(prefix, 'text').prefixKey}/`;
  return parseIdentifier(`${prefix}/${startsWith}`, 'text').key;
}

/** GET /api/handles?prefix=P: paged listing, for admins holding LIST_HANDLES on 0.NA/P. */
export function registerHandlesList(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: ListQuery }>(
    '/api/handles',
    {
      handlerTimeout: WRITE_HANDLER_TIMEOUT_MS,
      schema: {
        summary: 'List identifiers under a prefix (paged with a cursor)',
        tags: ['registration'],
        querystring: ListQuery,
        response: { 200: ListResponse, '4xx': ErrorResponse },
      },
    },
    async (request) => {
      // Same order as writes: credentials first, then homing, then (only for an authenticated
      // caller) whether the prefix exists, so anonymous callers cannot probe for prefixes.
      const identity = await ctx.authenticator.authenticate(request.headers.authorization, request.ip);
      const p = parsePrefix(request.query.prefix, 'text');
      if (!ctx.homed.covers(p.prefixKey))
        throw new IdnError('IDN_ERR_NOT_RESPONSIBLE', `This node does not home ${p.prefix}.`);
      if (identity === undefined) throw new IdnError('IDN_ERR_AUTH_REQUIRED');
      const na = await ctx.store.get(parseIdentifier(naHandleOf(p.prefix), 'text').key);
      if (!isLive(na)) throw new IdnError('IDN_ERR_PREFIX_NOT_FOUND');
      await requireAdmin(identity, na.values, Perm.LIST_HANDLES, na.handle, ctx.authenticator.groups);
      const page = await ctx.store.list(listKeyPrefix(p.prefix, request.query.startsWith), {
        limit: request.query.pageSize ?? 100,
        ...(request.query.cursor === undefined ? {} : { after: request.query.cursor }),
      });
      const handles = await Promise.all(page.keys.map(async (k) => (await ctx.store.get(k))?.handle ?? k));
      return { responseCode: 1, prefix: p.prefix, handles, ...(page.next === undefined ? {} : { next: page.next }) };
    },
  );
}
