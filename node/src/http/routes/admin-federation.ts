import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Identity } from '../../auth/identity.ts';
import { IdnError } from '../../errors/idn-error.ts';
import { Perm } from '../../records/permissions.ts';
import { ErrorResponse } from '../../records/schema.ts';
import type { AppContext } from '../app-context.ts';
import type { ConsoleOptions } from '../console/console-options.ts';
import { requireIdentity, requireOnPrefix } from './admin-common.ts';

const DelegationsQuery = Type.Object({
  under: Type.Optional(Type.String({ maxLength: 64, description: 'Only delegations at or under this prefix.' })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 64, description: 'The `next` value of the previous page.' })),
});
type DelegationsQuery = Static<typeof DelegationsQuery>;

/**
 * The federation as the top-level node sees it: an operator's view, so it needs the admin of a
 * prefix homed here (ADD_HANDLE on its 0.NA record), as a cache flush does.
 */
async function requireOperator(ctx: AppContext, request: FastifyRequest): Promise<Identity> {
  const identity = await requireIdentity(ctx, request);
  let refusal: unknown = new IdnError('IDN_ERR_NOT_AUTHORIZED', 'No prefix is homed on this node.');
  for (const prefix of ctx.homed.prefixes) {
    try {
      await requireOnPrefix(ctx, identity, prefix, Perm.ADD_HANDLE);
      return identity;
    } catch (e) {
      refusal = e;
    }
  }
  throw refusal;
}

const schema = (summary: string) => ({ summary, tags: ['federation'], response: { '4xx': ErrorResponse } });

/** GET /api/admin/nodes, /api/admin/takeovers, /api/admin/delegations. */
export function registerAdminFederation(app: FastifyInstance, ctx: AppContext, opts: ConsoleOptions): void {
  const view = opts.federation;
  const head = () => ({
    role: view?.role ?? 'standalone',
    nodeId: view?.selfId ?? null,
    heartbeatSeconds: view?.heartbeatSeconds ?? null,
  });
  app.get(
    '/api/admin/nodes',
    { schema: schema('Registered nodes: heartbeat age, takeover, sync position') },
    async (request) => {
      await requireOperator(ctx, request);
      return { ...head(), nodes: (await view?.nodes()) ?? [] };
    },
  );
  app.get(
    '/api/admin/takeovers',
    { schema: schema('Nodes whose prefixes are answered from the synced copy') },
    async (request) => {
      await requireOperator(ctx, request);
      const nodes = (await view?.nodes()) ?? [];
      const takeovers = nodes
        .filter((n) => n.takeover)
        .map((n) => ({ nodeId: n.nodeId, prefixes: n.prefixes, heartbeat: n.heartbeat, sync: n.sync }));
      return { ...head(), takeovers };
    },
  );
  app.get<{ Querystring: DelegationsQuery }>(
    '/api/admin/delegations',
    { schema: { ...schema('Prefix delegations (paged)'), querystring: DelegationsQuery } },
    async (request) => {
      await requireOperator(ctx, request);
      const q = request.query;
      const page = (await view?.delegations({
        limit: q.pageSize ?? 100,
        ...(q.under === undefined ? {} : { under: q.under }),
        ...(q.cursor === undefined ? {} : { after: q.cursor }),
      })) ?? { delegations: [] };
      return { ...head(), ...page };
    },
  );
}
