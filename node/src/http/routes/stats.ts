import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { nodeStats } from '../../observability/node-stats.ts';
import { StatsSampler } from '../../observability/stats-sampler.ts';
import { ErrorResponse } from '../../records/schema.ts';
import type { AppContext } from '../app-context.ts';
import type { ConsoleOptions } from '../console/console-options.ts';

const StatsQuery = Type.Object({
  window: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 300, default: 10, description: 'Seconds the rates and percentiles cover.' }),
  ),
});
type StatsQuery = Static<typeof StatsQuery>;

/**
 * GET /api/stats: rates, latency percentiles (overall, per prefix label, per source), cache hit
 * rate, errors by code, health and sync lag over the last `window` seconds, computed from the
 * same prom-client registry /metrics renders. Public, as /metrics is: it holds the same figures.
 */
export function registerStats(app: FastifyInstance, ctx: AppContext, opts: ConsoleOptions): void {
  const sampler = new StatsSampler(ctx.metrics.registry);
  const node = {
    role: opts.federation?.role ?? 'standalone',
    id: opts.federation?.selfId ?? null,
    store: ctx.store.kind,
    prefixes: ctx.homed.prefixes,
  };
  const links = { metrics: '/metrics', grafana: opts.grafanaUrl ?? null };
  app.get<{ Querystring: StatsQuery }>(
    '/api/stats',
    {
      schema: {
        summary: 'Live node statistics over a window, from the /metrics registry',
        tags: ['operations'],
        querystring: StatsQuery,
        response: { '4xx': ErrorResponse },
      },
    },
    async (request, reply) => {
      const w = await sampler.window(request.query.window ?? 10);
      return reply.header('cache-control', 'no-store').send(nodeStats(w, { node, links }));
    },
  );
}
