import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { hasPermissionsVia } from '../../auth/authorise.ts';
import { identityName } from '../../auth/identity.ts';
import { lastLiveValues, readHistory } from '../../audit/record-history.ts';
import { governingPrefix, naHandleOf, parentPrefix } from '../../authority/homed-prefixes.ts';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier, type ParsedIdentifier } from '../../identifier/index.ts';
import { Perm } from '../../records/permissions.ts';
import { ValueOutput } from '../../records/schema.ts';
import { isLive, type HandleValue } from '../../records/types.ts';
import type { AppContext } from '../app-context.ts';

/**
 * GET /api/handles/{id}?history=true: the identifier's change history from the change log (paged,
 * newest first), for its admins only: READ_VALUE on the record's HS_ADMIN values (for a deleted
 * record, those of its last version) or on its prefix record's, HS_VLIST groups included.
 * Not part of Handle's API: Handle clients never send `history`.
 */

export const HistoryResponse = Type.Object({
  responseCode: Type.Integer(),
  handle: Type.String(),
  history: Type.Array(
    Type.Object({
      seq: Type.Integer({ description: 'Position in the change log; pass as `before` to page on.' }),
      op: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete')]),
      version: Type.Integer(),
      previousVersion: Type.Integer(),
      at: Type.String(),
      actor: Type.String({ description: 'Who: `<index>:<admin>`, or the node itself (bootstrap, sync:<node>).' }),
      reason: Type.Optional(Type.String()),
      values: Type.Array(ValueOutput, {
        description: 'The values of this version, secrets redacted; none for a delete.',
      }),
    }),
  ),
  next: Type.Optional(Type.Integer({ description: 'Pass as `before` for the next, older page.' })),
});

export interface HistoryQuery {
  readonly limit?: number;
  readonly before?: number;
}

const DEFAULT_LIMIT = 20;

async function governingValues(ctx: AppContext, id: ParsedIdentifier): Promise<readonly HandleValue[]> {
  const gov = governingPrefix(id);
  const prefix = gov.isNa ? parentPrefix(gov.prefix) : gov.prefix;
  if (prefix === undefined) return [];
  const na = await ctx.store.get(parseIdentifier(naHandleOf(prefix), 'text').key);
  return isLive(na) ? na.values : [];
}

export async function answerHistory(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  id: ParsedIdentifier,
  q: HistoryQuery,
): Promise<FastifyReply> {
  // As for writes: credentials, homing, then who may ask, before anything about what exists.
  const identity = await ctx.authenticator.authenticate(request.headers.authorization, request.ip);
  const gov = governingPrefix(id);
  if (!ctx.homed.covers(gov.prefixKey)) {
    throw new IdnError('IDN_ERR_NOT_RESPONSIBLE', `This node does not home prefix ${gov.prefix}; ask its home node.`);
  }
  if (identity === undefined) throw new IdnError('IDN_ERR_AUTH_REQUIRED');
  const record = await ctx.store.get(id.key);
  const own = isLive(record) ? record.values : ((await lastLiveValues(ctx.store, id.key)) ?? []);
  const groups = ctx.authenticator.groups;
  const admin =
    (await hasPermissionsVia(identity, own, Perm.READ_VALUE, groups)) ||
    (await hasPermissionsVia(identity, await governingValues(ctx, id), Perm.READ_VALUE, groups));
  if (!admin) {
    throw new IdnError(
      'IDN_ERR_NOT_AUTHORIZED',
      `${identityName(identity)} lacks READ_VALUE on ${id.handle} and on its prefix record: the history is for their admins.`,
      { identity: identityName(identity), needed: ['READ_VALUE'], target: id.handle },
    );
  }
  const page = await readHistory(ctx.store, id.key, {
    limit: q.limit ?? DEFAULT_LIMIT,
    ...(q.before === undefined ? {} : { before: q.before }),
  });
  if (page.items.length === 0 && record === undefined) throw new IdnError('IDN_ERR_NOT_FOUND');
  const body = {
    responseCode: 1,
    handle: record?.handle ?? id.handle,
    history: page.items,
    ...(page.next === undefined ? {} : { next: page.next }),
  };
  return reply.header('cache-control', 'private, no-store').code(200).send(body);
}
