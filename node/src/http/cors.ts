import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * CORS for the resolver routes (GS1 Resolver 1.2: a resolver SHALL support CORS): a browser app on
 * any origin may read public answers (`Access-Control-Allow-Origin: *`) and the headers a GS1
 * client needs (Link, Location, ETag and idnode's provenance headers).
 *
 * Restricted answers (a credential unlocked values beyond the public tier) carry no
 * Access-Control-Allow-Origin at all: `*` with credentials would hand them to any page holding
 * a token, and idnode keeps no list of trusted origins. Preflights do not allow the
 * Authorization header either, so a cross-origin page cannot even send a credential: credentialed
 * reads are for same-origin pages and servers. The JSON API (/api/) and the operator pages
 * (/docs, /metrics, /livez, /readyz) are not resolver routes and get no CORS headers.
 */

export const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';
/** Accept and Accept-Language drive negotiation; If-None-Match revalidates a linkset. */
// Accept-Signature: a browser script may ask for a signed answer (ADR 0011) and read it (exposed below).
export const ALLOWED_HEADERS = 'Accept, Accept-Language, If-None-Match, Accept-Signature';
export const EXPOSED_HEADERS = [
  'Link',
  'Location',
  'ETag',
  'Vary',
  'x-idnode-source',
  'x-idnode-authoritative',
  'x-idnode-resolved-via',
  'x-idnode-resolved-from',
  'Signature',
  'Signature-Input',
  'Content-Digest',
].join(', ');
const PREFLIGHT_MAX_AGE_S = 86_400;

const NOT_RESOLVER = /^\/(api\/|api$|docs|metrics|livez|readyz)/;

/** The paths GS1 clients resolve: the QR route, Digital Link paths, the resolver description. */
export const isResolverPath = (url: string): boolean => !NOT_RESOLVER.test(url);

const restricted = new WeakSet<FastifyReply>();

/** This answer shows non-public values: browsers on other origins must not read it. */
export function markRestricted(reply: FastifyReply): void {
  restricted.add(reply);
}

/** The CORS headers of one answer; exported for the not-found handler, which is outside any route. */
export function corsHeaders(request: FastifyRequest, reply: FastifyReply): void {
  if (!isResolverPath(request.url) || restricted.has(reply)) return;
  reply.header('access-control-allow-origin', '*').header('access-control-expose-headers', EXPOSED_HEADERS);
}

type SendHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (e: null, p: unknown) => void,
) => void;

const corsOnSend: SendHook = (request, reply, payload, done) => {
  corsHeaders(request, reply);
  done(null, payload);
};

/**
 * A route whose fixed prefix is a non-resolver one: every URL it matches starts with that prefix,
 * so none of its answers could get CORS headers and it needs no hook (`api$` is left out: the
 * route `/api` also matches `/api?x`, a resolver path by the rule above).
 */
const NEVER_RESOLVER_ROUTE = /^\/(api\/|docs|metrics|livez|readyz)/;

/**
 * The CORS hook on the answers of every route that may serve a resolver path (onRoute, before the
 * route's own onSend hooks as a global hook ran), and OPTIONS (preflight or not) on every resolver
 * path. API and operator routes carry no hook at all: a cache hit on the API ran one for nothing.
 * The not-found handler (outside any route) calls corsHeaders itself; a URL the router cannot
 * decode is answered outside every hook (fastify's frameworkErrors), without CORS, as before.
 */
export function registerCors(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (NEVER_RESOLVER_ROUTE.test(route.url)) return;
    const own = route.onSend;
    route.onSend = own === undefined ? [corsOnSend] : [corsOnSend, ...(Array.isArray(own) ? own : [own])];
  });
  app.options('/*', { schema: { hide: true } }, (_request, reply) =>
    reply
      .code(204)
      .header('allow', ALLOWED_METHODS)
      .header('access-control-allow-methods', ALLOWED_METHODS)
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_S))
      .header('cache-control', `public, max-age=${PREFLIGHT_MAX_AGE_S}`)
      .send(),
  );
}
