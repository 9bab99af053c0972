import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier, parsePrefix, type ParsedIdentifier } from '../../identifier/index.ts';
import { publicBase, resolverUrl } from '../../passport/settings.ts';
import { errorAnswer, WANT_RECORD, type Want } from '../../resolve/answer.ts';
import type { AppContext } from '../app-context.ts';
import { reportedError } from '../errors.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { renderOutcome, type ScanFormat } from '../render/render-outcome.ts';
import { readerCredentials } from '../reader-credentials.ts';

/**
 * GET /{identifier}: the URL a QR code carries (rendering: http/render/render-scan.ts).
 * `GET /<prefix>` (no suffix) is the prefix's own record `0.NA/<prefix>` (enterprises, parks).
 */

const PUBLIC_ONLY: Want = { ...WANT_RECORD, publicOnly: true };

/** How a route names identifiers as URLs: the anchor of the one asked, and of others (GS1 levels above it). */
export interface ScanUrls {
  readonly anchor: string;
  readonly anchorOf: (handle: string) => string;
  /** Further Link header entries (owl:sameAs of a compressed Digital Link URI). */
  readonly links?: readonly string[];
}

const NO_URLS: ScanUrls = { anchor: '', anchorOf: () => '' };

/** The scan format of this node: the linkset anchors, and the homed prefixes problem pages name. */
export const scanFormat = (ctx: AppContext, urls: ScanUrls): ScanFormat => ({
  kind: 'qr',
  anchor: urls.anchor,
  anchorOf: urls.anchorOf,
  homed: ctx.homed.prefixes,
  ...(urls.links === undefined ? {} : { links: urls.links }),
});

/** Resolves `id` and answers as the QR route does; the GS1 Digital Link route shares it with its own anchors. */
export function answerScan(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: AppContext,
  id: ParsedIdentifier,
  urls: ScanUrls,
): FastifyReply | Promise<FastifyReply> {
  const q = request.query as Record<string, string | undefined>;
  const asked = { id, route: 'qr' };
  const reader = readerCredentials(request);
  const want = q.publicOnly === 'true' ? PUBLIC_ONLY : WANT_RECORD;
  // A cache hit is answered in this tick: no promise between the scan and its redirect.
  const now = ctx.resolution.answerNow(asked, reader, want);
  if (now !== undefined) return renderOutcome(reply, now, scanFormat(ctx, urls));
  return ctx.resolution.answer(asked, reader, want).then((a) => renderOutcome(reply, a, scanFormat(ctx, urls)));
}

/** An error before any resolution (a path that does not parse, a thrown failure), as the QR route shows errors. */
export function refuseScan(reply: FastifyReply, e: IdnError, ctx: AppContext, id?: ParsedIdentifier): FastifyReply {
  return renderOutcome(reply, errorAnswer(e, id), scanFormat(ctx, NO_URLS));
}

/** Thrown errors on the QR-style routes still answer as a page (or JSON), with provenance, marked for the log. */
export const scanErrorHandler =
  (ctx: AppContext) =>
  (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void =>
    void refuseScan(reply, reportedError(err, request), ctx);

/**
 * The identifier of a QR path. A path without "/" that is a valid prefix (`/88.100.5`) names the
 * prefix's own record `0.NA/88.100.5` (an enterprise or a park); anything else keeps the parser's error.
 * Trailing slashes are tolerated (GS1 Resolver 1.2): no suffix ends with "/", so none is lost.
 */
export function qrIdentifier(path: string): ParsedIdentifier {
  const raw = path.replace(/\/+$/, '');
  try {
    return parseIdentifier(raw, 'uri');
  } catch (e) {
    if (!(e instanceof IdnError) || e.code !== 'IDN_ERR_MISSING_SEPARATOR') throw e;
    let prefix: string;
    try {
      prefix = parsePrefix(raw, 'uri').prefix;
    } catch {
      throw e;
    }
    return parseIdentifier(`0.NA/${prefix}`, 'text');
  }
}

/** Answers the QR path `raw` (after the leading "/", still percent-encoded); the compressed GS1 route shares it. */
export function answerQrPath(
  app: FastifyInstance,
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  raw: string,
): FastifyReply | Promise<FastifyReply> {
  const id = qrIdentifier(raw);
  const base = publicBase(app, ctx.passport);
  const anchorOf = (handle: string) => resolverUrl(base, handle);
  return answerScan(request, reply, ctx, id, { anchor: anchorOf(id.handle), anchorOf });
}

export function registerProxy(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/*',
    {
      schema: { summary: 'QR / proxy resolution: redirect, or negotiate typed links', tags: ['resolution'] },
      errorHandler: scanErrorHandler(ctx),
    },
    (request, reply) => {
      const sent = answerQrPath(app, ctx, request, reply, rawPathTail(request.url, 1));
      // Answered in this tick (a cache hit): fastify is not handed the reply back to send again.
      return sent instanceof Promise ? sent : undefined;
    },
  );
}
