import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { escapeHtml, PAGE_CSP, page } from '../render/html.ts';

/**
 * Every browser asks for /favicon.ico. Without its own route it would be read as the identifier
 * "favicon.ico" (a QR scan): an error page and an error log line on each visit. No content, cached.
 */
function registerFavicon(app: FastifyInstance): void {
  app.get('/favicon.ico', { schema: { hide: true } }, (_request, reply) =>
    reply.code(204).header('cache-control', 'public, max-age=86400').send(),
  );
}

/** `/`: what this node is and where to go next. */
export function registerHome(app: FastifyInstance, ctx: AppContext): void {
  registerFavicon(app);
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
