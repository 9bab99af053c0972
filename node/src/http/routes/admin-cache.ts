import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { IdnError } from '../../errors/idn-error.ts';
import { Perm } from '../../records/permissions.ts';
import { ErrorResponse } from '../../records/schema.ts';
import type { AppContext } from '../app-context.ts';
import { requireIdentity, requireOnPrefix } from './admin-common.ts';

const Flushed = Type.Object({ responseCode: Type.Integer(), flushed: Type.Integer() });

/**
 * POST /api/admin/cache/flush: drops every cached answer (`idnode cache flush`). Allowed to the
 * admin of any prefix homed here (ADD_HANDLE on its 0.NA record): a flush costs only misses, and
 * every homed admin may need it after fixing records upstream. A node without homed prefixes
 * (caching role) has no such admin and refuses.
 */
export function registerAdminCache(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/api/admin/cache/flush',
    {
      schema: {
        summary: 'Flush the resolution cache (admin of a homed prefix)',
        tags: ['registry'],
        response: { 200: Flushed, '4xx': ErrorResponse },
      },
    },
    async (request) => {
      const identity = await requireIdentity(ctx, request);
      let lastRefusal: unknown = new IdnError('IDN_ERR_NOT_AUTHORIZED', 'No prefix is homed on this node.');
      for (const prefix of ctx.homed.prefixes) {
        try {
          await requireOnPrefix(ctx, identity, prefix, Perm.ADD_HANDLE);
          const flushed = ctx.cache?.size ?? 0;
          ctx.cache?.clear();
          return { responseCode: 1, flushed };
        } catch (e) {
          lastRefusal = e;
        }
      }
      throw lastRefusal;
    },
  );
}
