import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessTier, StoredRecord } from '../records/types.ts';
import type { RenderMemo } from '../resolve/render-memo.ts';
import { linkTypeIri } from './link-types.ts';
import type { PassportLink } from './link-value.ts';
import { buildLinkHeader, buildLinkset, headerSafeUrl, LINKSET_MEDIA_TYPE, shortHash } from './linkset.ts';
import { linkView, minTtl, type LinkView } from './links.ts';
import { negotiate, parseWeighted, type Decision, type Preferences } from './negotiate.ts';

/**
 * The HTTP side of passport resolution: which answer a scan gets (307 / 300 / linkset / 404)
 * and the headers every answer carries (Link, Cache-Control, ETag, Vary). Renderings that do
 * not depend on the request (view, Link header, linkset body) are memoised with the answer.
 */

/** Query parameters the resolver consumes; everything else is passed on to the target (GS1 CE does too). */
const RESOLVER_PARAMS = new Set(['linktype', 'context', 'noredirect', 'index', 'publiconly']);
const REDIRECT_MAX_AGE = 300;
export const VARY = 'Accept, Accept-Language, Authorization';

export interface PassportRequest {
  readonly record: StoredRecord;
  readonly memo: RenderMemo;
  readonly tier: AccessTier;
  /** The URL the identifier is resolved at (linkset anchor): the QR URL or the GS1 Digital Link URL. */
  readonly anchor: string;
}

export type PassportAnswer =
  | { readonly kind: 'handled'; readonly reply: FastifyReply }
  /** No typed link this reader sees and no linkset asked for: Handle proxy behaviour applies. */
  | { readonly kind: 'not-passport' }
  | { readonly kind: 'missing'; readonly linkType: string };

interface Rendered {
  readonly view: LinkView;
  readonly linkHeader: string;
  readonly linkset: string;
}

function rendered(p: PassportRequest): Rendered {
  return p.memo.get(`passport:${p.tier}:${p.anchor}`, () => {
    const view = linkView(p.record.values, p.tier);
    return { view, linkHeader: buildLinkHeader(p.anchor, view), linkset: JSON.stringify(buildLinkset(p.anchor, view)) };
  });
}

/** Query keys are matched case-insensitively (GS1 CE accepts linktype, linkType, ...). */
export function queryParam(query: Record<string, unknown>, name: string): string | undefined {
  for (const [k, v] of Object.entries(query)) {
    if (k.toLowerCase() !== name) continue;
    return Array.isArray(v) ? String(v[0]) : typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

/**
 * The linkset rather than a redirect: asked for by media type (RFC 9264) or by linkType=linkset|all.
 * Plain `application/json` counts only for records with typed links (GS1 CE does the same); a
 * Handle client asking a URL-only record for JSON keeps getting Handle's redirect.
 */
function wantsLinkset(request: FastifyRequest, linkType: string | undefined, typed: boolean): boolean {
  const lt = linkType?.toLowerCase();
  if (lt === 'linkset' || lt === 'all') return true;
  const accept = parseWeighted(request.headers.accept);
  if (accept.some((a) => a.value === LINKSET_MEDIA_TYPE)) return true;
  if (!typed) return false;
  const json = accept.find((a) => a.value === 'application/json')?.q ?? 0;
  const html = accept.find((a) => a.value === 'text/html')?.q ?? 0;
  return json > 0 && json >= html;
}

function commonHeaders(reply: FastifyReply, p: PassportRequest, r: Rendered, tag: string): void {
  const cacheControl =
    p.tier === 'public' ? `public, max-age=${minTtl(r.view, REDIRECT_MAX_AGE)}` : 'private, no-store';
  reply
    .header('link', r.linkHeader)
    .header('vary', VARY)
    .header('cache-control', cacheControl)
    .header('etag', `"${p.record.version}-${p.tier[0]}-${tag}"`);
}

function sendLinkset(
  request: FastifyRequest,
  reply: FastifyReply,
  p: PassportRequest,
  r: Rendered,
  body: string,
  status: number,
) {
  const asked = parseWeighted(request.headers.accept).some((a) => a.value === LINKSET_MEDIA_TYPE);
  const json = !asked && parseWeighted(request.headers.accept).some((a) => a.value === 'application/json');
  commonHeaders(reply, p, r, status === 200 ? 'linkset' : `choices-${shortHash(body)}`);
  if (status === 200 && request.headers['if-none-match'] === reply.getHeader('etag')) return reply.code(304).send();
  return reply
    .code(status)
    .type(json ? 'application/json; charset=utf-8' : LINKSET_MEDIA_TYPE)
    .send(body);
}

/** Location: the target plus the query parameters the resolver did not consume. */
export function locationOf(href: string, query: Record<string, unknown>): string {
  const url = new URL(headerSafeUrl(href));
  for (const [k, v] of Object.entries(query)) {
    if (RESOLVER_PARAMS.has(k.toLowerCase())) continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
  }
  return url.href;
}

function sendRedirect(
  request: FastifyRequest,
  reply: FastifyReply,
  p: PassportRequest,
  r: Rendered,
  link: PassportLink,
) {
  const location = locationOf(link.href, request.query as Record<string, unknown>);
  commonHeaders(reply, p, r, shortHash(location));
  return reply.redirect(location, 307);
}

function preferences(request: FastifyRequest, linkType: string | undefined): Preferences | undefined {
  const query = request.query as Record<string, unknown>;
  const iri = linkType === undefined ? undefined : linkTypeIri(linkType);
  if (linkType !== undefined && iri === undefined) return undefined;
  return {
    linkType: iri,
    context: queryParam(query, 'context'),
    languages: parseWeighted(request.headers['accept-language']),
    mediaTypes: parseWeighted(request.headers.accept),
  };
}

/** Answers a found record on the QR / GS1 route, or says Handle behaviour applies ('not-passport'). */
export function answerPassport(request: FastifyRequest, reply: FastifyReply, p: PassportRequest): PassportAnswer {
  const r = rendered(p);
  const linkType = queryParam(request.query as Record<string, unknown>, 'linktype');
  if (wantsLinkset(request, linkType, !r.view.fromUrls)) {
    return { kind: 'handled', reply: sendLinkset(request, reply, p, r, r.linkset, 200) };
  }
  if (r.view.fromUrls && linkType === undefined) return { kind: 'not-passport' };
  const prefs = preferences(request, linkType);
  const decision: Decision = prefs ? negotiate(r.view, prefs) : { kind: 'missing', linkType: linkType ?? '' };
  switch (decision.kind) {
    case 'redirect':
      return { kind: 'handled', reply: sendRedirect(request, reply, p, r, decision.link) };
    case 'choices': {
      const body = JSON.stringify(buildLinkset(p.anchor, r.view, decision.links));
      return { kind: 'handled', reply: sendLinkset(request, reply, p, r, body, 300) };
    }
    case 'missing':
      // The problem answer still carries the Link header: the client learns what there is.
      commonHeaders(reply, p, r, 'missing');
      return { kind: 'missing', linkType: linkType ?? decision.linkType };
  }
}
