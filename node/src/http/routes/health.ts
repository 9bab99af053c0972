import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';

/** `/livez`: the process answers (never checks dependencies). `/readyz`: it can serve now. */
export function registerHealth(app: FastifyInstance, ctx: AppContext): void {
  app.get('/livez', { schema: { hide: true } }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const r = await ctx.readiness.report();
    return reply
      .code(r.ready ? 200 : 503)
      .send(r.ready ? { status: 'ready' } : { status: 'not-ready', failing: r.failing });
  });
}
