import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { recentReads, type ReadAuditLine } from '../../audit/audit-query.ts';
import { isUnderPrefix, parseIdentifier, parsePrefix } from '../../identifier/index.ts';
import { Perm } from '../../records/permissions.ts';
import { ErrorResponse } from '../../records/schema.ts';
import type { AppContext } from '../app-context.ts';
import { homedPrefix, requireIdentity, requireOnPrefix } from './admin-common.ts';

const Params = Type.Object({ prefix: Type.String({ maxLength: 64 }) });
type Params = Static<typeof Params>;
const Query = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  before: Type.Optional(Type.Integer({ minimum: 0, description: 'The `next` value of the previous page.' })),
});
type Query = Static<typeof Query>;

/** The prefix an audited identifier belongs to: its own, or for `0.NA/<p>` the prefix p itself. */
function prefixKeyOf(identifier: string): string | undefined {
  try {
    const id = parseIdentifier(identifier, 'text');
    return id.prefixKey === '0.na' ? parsePrefix(id.suffix, 'text').prefixKey : id.prefixKey;
  } catch {
    return undefined;
  }
}

/**
 * GET /api/admin/prefixes/{prefix}/audit/reads: the non-public reads of identifiers at or under
 * the prefix, newest first, for its admin (READ_VALUE on 0.NA/<prefix>). The lines are the
 * audit's own: who (via, tier, subject, purpose, issuer), which values, never their data.
 */
export function registerAdminAudit(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: Params; Querystring: Query }>(
    '/api/admin/prefixes/:prefix/audit/reads',
    {
      schema: {
        summary: 'Non-public reads of the identifiers under a prefix (its admin)',
        tags: ['registry'],
        params: Params,
        querystring: Query,
        response: { '4xx': ErrorResponse },
      },
    },
    async (request, reply) => {
      const identity = await requireIdentity(ctx, request);
      const prefix = homedPrefix(ctx, request.params.prefix);
      await requireOnPrefix(ctx, identity, prefix, Perm.READ_VALUE);
      const dir = ctx.audit.dir;
      reply.header('cache-control', 'private, no-store');
      if (dir === undefined) return { responseCode: 1, prefix, audited: false, entries: [] };
      // Lines are written asynchronously: the page shows every read answered before this request.
      await ctx.audit.flush();
      const key = parsePrefix(prefix, 'text').prefixKey;
      const accept = (e: ReadAuditLine): boolean => {
        const p = prefixKeyOf(e.identifier);
        return p !== undefined && isUnderPrefix(p, key);
      };
      const page = await recentReads(dir, accept, {
        limit: request.query.limit ?? 100,
        ...(request.query.before === undefined ? {} : { before: request.query.before }),
      });
      return { responseCode: 1, prefix, audited: true, ...page };
    },
  );
}
