import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';

/** GET /metrics: Prometheus text format. */
export function registerMetrics(app: FastifyInstance, ctx: AppContext): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(body);
  });
}
