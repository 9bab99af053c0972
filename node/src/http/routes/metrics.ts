import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';

/** GET /metrics: Prometheus text format. */
export function registerMetrics(app: FastifyInstance, ctx: AppContext): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const { body, contentType } = await ctx.metrics.exposition();
    return reply.type(contentType).send(body);
  });
}
