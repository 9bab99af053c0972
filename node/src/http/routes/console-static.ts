import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * /console: the web console's files, served by the node itself. No build step: the pages are
 * plain ES modules (node/console/), and the two browser libraries are served as their npm
 * packages ship them, straight from node_modules (uPlot's ESM build, fflate's browser build),
 * so `npm ci` is the whole install. docs/adr/0004-console.md says why.
 */

const CONSOLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));
const packageDir = (specifier: string): string => dirname(fileURLToPath(import.meta.resolve(specifier)));

/** Only the files the console imports; nothing else of a package is reachable. */
const VENDOR: readonly { prefix: string; root: string; files: readonly string[] }[] = [
  { prefix: '/console/vendor/uplot/', root: packageDir('uplot'), files: ['uPlot.esm.js', 'uPlot.min.css'] },
  { prefix: '/console/vendor/fflate/', root: packageDir('fflate'), files: ['browser.js'] },
];

/**
 * Scripts and styles from this origin only, no inline script, no framing; connections to this
 * origin only (the console talks to the node's own API). QR images arrive as blobs.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function securityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CONSOLE_CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
  // Revalidate every time: a node upgrade must not leave an old console running against a new API.
  reply.header('cache-control', 'no-cache');
}

export async function registerConsoleStatic(app: FastifyInstance): Promise<void> {
  app.get('/console', { schema: { hide: true } }, (_request, reply) => reply.redirect('/console/', 302));
  await app.register(fastifyStatic, {
    root: CONSOLE_DIR,
    prefix: '/console/',
    index: 'index.html',
    schemaHide: true,
    cacheControl: false,
    dotfiles: 'deny',
    setHeaders: securityHeaders,
  });
  for (const v of VENDOR) {
    await app.register(fastifyStatic, {
      root: v.root,
      prefix: v.prefix,
      decorateReply: false,
      schemaHide: true,
      cacheControl: false,
      wildcard: false,
      allowedPath: (path) => v.files.includes(path.replace(/^\//, '')),
      setHeaders: securityHeaders,
    });
  }
}
