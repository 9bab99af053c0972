import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { escapeHtml, PAGE_CSP, page } from '../render/html.ts';

/** `/`: what this node is and where to go next. */
export function registerHome(app: FastifyInstance, ctx: AppContext): void {
  app.get('/', { schema: { hide: true } }, (_request, reply) => {
    const prefixes = ctx.homed.prefixes.map((p) => `<li><code>${escapeHtml(p)}</code></li>`).join('');
    const html = page(
      'idnode',
      `<h1>idnode</h1><p>Identifier resolution node. Prefixes homed here:</p><ul>${prefixes}</ul>` +
        `<p>Scan or open <code>/&lt;prefix&gt;/&lt;suffix&gt;</code>; JSON at <code>/api/handles/&lt;prefix&gt;/&lt;suffix&gt;</code>; ` +
        `API docs at <a href="/docs">/docs</a>.</p>`,
    );
    return reply.header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8').send(html);
  });
}
