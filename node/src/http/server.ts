import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { IdnError } from '../errors/idn-error.ts';
import { parseIdentifier } from '../identifier/index.ts';
import { countUnrouted, registerAccessLog, type AccessLogOptions } from './access-log.ts';
import type { AppContext } from './app-context.ts';
import type { HttpsMaterial } from './config.ts';
import { applyServerLimits, DEFAULT_LIMITS, limitOptions, type HttpLimits } from './limits.ts';
import { installShedding } from './overload.ts';
import type { ShedSettings } from './shedding.ts';
import { corsHeaders, registerCors } from './cors.ts';
import { clientErrorHandler, declareErrorSlot, errorHandler, sendError } from './errors.ts';
import { rawPathTail } from './raw-identifier.ts';
import { requestLogger } from './request-logger.ts';
import { API_PREFIX, registerHandlesRead } from './routes/handles-read.ts';
import { registerHandlesList } from './routes/handles-list.ts';
import { registerHandlesWrite } from './routes/handles-write.ts';
import { registerHealth } from './routes/health.ts';
import { registerHome } from './routes/home.ts';
import { registerMetrics } from './routes/metrics.ts';
import { refuseScan, registerProxy } from './routes/proxy.ts';
import { renderOutcome } from './render/render-outcome.ts';
import { declareSigningSlot, registerAnswerSigning } from './render/sign-answer.ts';
import { errorAnswer } from '../resolve/answer.ts';
import { registerTokens } from './routes/tokens.ts';
import { registerHandleSessions } from './routes/handle-sessions.ts';
import { registerWellKnown } from './routes/well-known.ts';
import { registerGs1DigitalLink } from './routes/gs1-digital-link.ts';
import { registerGs1Compressed } from './routes/gs1-compressed.ts';
import { registerQr } from './routes/qr.ts';
import { registerAdminApplications } from './routes/admin-applications.ts';
import { registerAdminIdentifiersBatch } from './routes/admin-identifiers-batch.ts';
import { registerAdminSerials } from './routes/admin-serials.ts';
import { registerAdminCache } from './routes/admin-cache.ts';
import type { ConsoleOptions } from './console/console-options.ts';
import { registerCookieRoutes, registerSessionCookie } from './console/session-cookie.ts';
import { registerAdminApplicationsList } from './routes/admin-applications-list.ts';
import { registerAdminAudit } from './routes/admin-audit.ts';
import { registerAdminFederation } from './routes/admin-federation.ts';
import { registerConsoleStatic } from './routes/console-static.ts';
import { registerSession } from './routes/session.ts';
import { registerStats } from './routes/stats.ts';
import { registerLogTiles } from './routes/log-tiles.ts';
import { registerLogProof } from './routes/log-proof.ts';

export interface ServerOptions {
  /** Access log and HTTP request counters; off when absent (tests). */
  readonly accessLog?: AccessLogOptions;
  /** A pino logger (main.ts passes one with an asynchronous destination); false in tests. */
  readonly logger: FastifyServerOptions['loggerInstance'] | false;
  /** HTTPS with HTTP/2 (and HTTP/1.1 over TLS for older clients); plain HTTP when absent. */
  readonly https?: HttpsMaterial;
  /** The console's extras (role and federation view, Grafana link); a standalone node without links when absent. */
  readonly console?: ConsoleOptions;
  /** Connection limits and timeouts (IDNODE_HTTP_*, ADR 0010); the defaults when absent. */
  readonly limits?: HttpLimits;
  /** Load shedding (IDNODE_SHED_*, ADR 0010); off when absent (tests decide pressure themselves). */
  readonly shed?: ShedSettings;
}

// The longest legal identifier, fully percent-encoded, must still route (LIMITS.encodedInputChars).
const MAX_PARAM_LENGTH = 1024;

/** The parser's own precise error for a URL the router refused, or a generic one if the identifier parses. */
function badUrlError(error: Error, rawIdentifier: string): IdnError {
  try {
    parseIdentifier(rawIdentifier, 'uri');
  } catch (e) {
    if (e instanceof IdnError) return e;
  }
  return new IdnError('IDN_ERR_BAD_REQUEST', error.message);
}

/**
 * A malformed URL is answered as its route would: JSON under /api/handles/ (a resolution answer,
 * with provenance, for reads), the QR route's page otherwise.
 */
function onBadUrl(ctx: AppContext) {
  return (error: Error, request: FastifyRequest, reply: FastifyReply): void => {
    const api = request.url.startsWith(API_PREFIX);
    const e = badUrlError(error, rawPathTail(request.url, api ? API_PREFIX.length : 1));
    if (!api) return void refuseScan(reply, e, ctx);
    void (request.method === 'GET' || request.method === 'HEAD'
      ? renderOutcome(reply, errorAnswer(e), 'json')
      : sendError(reply, e));
  };
}

/**
 * GS1 Resolver 1.2: HTTPS SHALL be supported. Given a certificate the node serves it itself, as
 * HTTP/2 with HTTP/1.1 over TLS for clients without h2 (ALPN); otherwise plain HTTP/1.1 for a
 * TLS-terminating proxy in front. The routes see one API either way, hence the cast.
 */
function tlsOptions(https: HttpsMaterial | undefined): object {
  return https === undefined ? {} : { http2: true, https: { allowHTTP1: true, cert: https.cert, key: https.key } };
}

export async function buildServer(ctx: AppContext, opts: ServerOptions): Promise<FastifyInstance> {
  const create = Fastify as unknown as (o: FastifyServerOptions) => FastifyInstance;
  const app = create({
    ...tlsOptions(opts.https),
    // request.log is fastify's logger itself: a pino child per request is measurable on a cache hit.
    ...(opts.logger === false || opts.logger === undefined
      ? { logger: false }
      : { loggerInstance: requestLogger(opts.logger) }),
    // Per-request log lines are synchronous work on the hot path; the access log comes separately.
    logController: new LogController({ disableRequestLogging: true }),
    // Slow clients cannot hold sockets, large requests are refused before they are read (limits.ts).
    ...limitOptions(opts.limits ?? DEFAULT_LIMITS),
    // No server-wide handlerTimeout: it costs a timer and an AbortController per request on the
    // resolution path, whose stages carry their own deadlines; write routes set it per route.
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: onBadUrl(ctx),
    clientErrorHandler,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  applyServerLimits(app.server, opts.limits ?? DEFAULT_LIMITS);
  // Slots of every reply, declared before any route or scope so that every reply has them.
  declareErrorSlot(app);
  declareSigningSlot(app);
  if (opts.shed !== undefined) installShedding(app, ctx, opts.shed);
  // Bodies are JSON only: fastify's built-in text/plain parser would turn a wrong type into a schema error, not a 415.
  app.removeContentTypeParser('text/plain');
  const accessLog = opts.accessLog ?? { logger: undefined, sampleRate: 0 };
  registerAccessLog(app, ctx.metrics, accessLog);
  // Before any route: CORS is attached per route (onRoute), only where an answer may need it.
  registerCors(app);
  const unrouted = countUnrouted(ctx.metrics, accessLog);
  // Before every route: a console session cookie becomes the Authorization header routes read.
  registerSessionCookie(app, ctx);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    // Outside any route, so outside the per-route CORS hook: a resolver path's 404 still carries it.
    corsHeaders(request, reply);
    const sent = sendError(reply, new IdnError('IDN_ERR_ROUTE_NOT_FOUND'));
    unrouted(request, reply, () => undefined);
    return sent;
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'idnode',
        version: '0.1.0',
        description: 'Handle.Net v9 compatible REST API of an idnode resolution node.',
      },
      components: {
        securitySchemes: { basic: { type: 'http', scheme: 'basic' }, bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  registerAnswerSigning(app, ctx.signing);
  registerHome(app, ctx);
  registerHealth(app, ctx);
  registerMetrics(app, ctx);
  registerHandlesList(app, ctx);
  registerHandlesRead(app, ctx);
  registerHandlesWrite(app, ctx);
  registerTokens(app, ctx);
  registerHandleSessions(app, ctx);
  registerAdminApplications(app, ctx);
  registerAdminIdentifiersBatch(app, ctx);
  registerAdminSerials(app, ctx);
  registerAdminCache(app, ctx);
  registerAdminApplicationsList(app, ctx);
  registerAdminFederation(app, ctx, opts.console ?? {});
  registerAdminAudit(app, ctx);
  await registerCookieRoutes(app, (scope) => registerSession(scope, ctx));
  registerStats(app, ctx, opts.console ?? {});
  await registerConsoleStatic(app);
  registerWellKnown(app, ctx);
  registerLogTiles(app, ctx);
  registerLogProof(app, ctx);
  registerGs1DigitalLink(app, ctx);
  registerGs1Compressed(app, ctx);
  registerQr(app, ctx);
  registerProxy(app, ctx);
  // Unknown API paths answer as an API (JSON), not as a QR scan of an identifier named "api/...".
  app.all('/api/*', { schema: { hide: true } }, (_request, reply) =>
    sendError(reply, new IdnError('IDN_ERR_ROUTE_NOT_FOUND')),
  );
  return app;
}
