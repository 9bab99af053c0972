import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessTier, StoredRecord } from '../records/types.ts';
import type { RenderMemo } from '../records/render-memo.ts';
import { itemDescription } from './item-description.ts';
import { HANDLED_BY_IRI, linkTypeIri } from '../records/link-types.ts';
import type { PassportLink } from '../records/link-value.ts';
import {
  gs1Linkset,
  GS1_LINKSET_CONTEXT,
  handledByLink,
  headerSafeUrl,
  IDNODE_LINKSET_MEDIA_TYPE,
  idnodeLinkset,
  JSON_LD_CONTEXT_LINK,
  JSON_LD_MEDIA_TYPE,
  linksetLink,
  LINKSET_MEDIA_TYPE,
  shortHash,
  type LinkContext,
} from './linkset.ts';
import { linkView, minTtl, type LinkView } from './links.ts';
import { negotiate, parseWeighted, type Decision, type Preferences } from './negotiate.ts';

/**
 * The HTTP side of passport resolution: which answer a scan gets (307 / 300 / linkset / 404)
 * and the headers every answer carries (Link, Cache-Control, ETag, Vary). Renderings that do
 * not depend on the request (views, Link header, linkset bodies) are memoised with the answer.
 */

/** idnode's own parameters; every other key=value pair is passed on to the target (GS1 Resolver 1.2). */
const IDNODE_PARAMS = new Set(['noredirect', 'index', 'publiconly']);
const REDIRECT_MAX_AGE = 300;
export const VARY = 'Accept, Accept-Language, Authorization';

/** A GS1 level above the answering record: its anchor (uncompressed URI) and the record as the reader sees it. */
export interface PassportLevel {
  readonly anchor: string;
  readonly record: StoredRecord;
}

export interface PassportRequest {
  readonly record: StoredRecord;
  readonly memo: RenderMemo;
  readonly tier: AccessTier;
  /** The URL the identifier is resolved at (linkset anchor): the QR URL or the GS1 Digital Link URL. */
  readonly anchor: string;
  /** The levels up to the GS1 primary key, nearest first (lot, then GTIN); their links are in the linkset. */
  readonly levels: readonly PassportLevel[];
  /** Further Link header entries of every answer (owl:sameAs of a compressed URI). */
  readonly links?: readonly string[];
}

export type PassportAnswer =
  | { readonly kind: 'handled'; readonly reply: FastifyReply }
  /** No typed link this reader sees and no linkset asked for: Handle proxy behaviour applies. */
  | { readonly kind: 'not-passport' }
  | { readonly kind: 'missing'; readonly linkType: string };

interface Level {
  readonly context: LinkContext;
  readonly view: LinkView;
}

interface Rendered {
  /** The asked identifier's level first, then those above it. */
  readonly levels: readonly Level[];
  readonly link: string;
  readonly gs1: string;
  readonly idnode: string;
  /** Versions of every record shown: a changed GTIN record changes a serial's linkset. */
  readonly versions: string;
  readonly maxAge: number;
}

function levelOf(anchor: string, record: StoredRecord, tier: AccessTier): Level {
  const view = linkView(record.values, tier);
  return { view, context: { anchor, itemDescription: itemDescription(record.values, view, record.handle), view } };
}

function rendered(p: PassportRequest): Rendered {
  return p.memo.get(`passport:${p.tier}:${p.anchor}:${(p.links ?? []).join(',')}`, () => {
    const levels = [levelOf(p.anchor, p.record, p.tier), ...p.levels.map((l) => levelOf(l.anchor, l.record, p.tier))];
    const contexts = levels.map((l) => l.context);
    return {
      levels,
      link: [linksetLink(p.anchor), ...(p.links ?? [])].join(', '),
      gs1: JSON.stringify(gs1Linkset(contexts)),
      idnode: JSON.stringify(idnodeLinkset(contexts)),
      versions: [p.record.version, ...p.levels.map((l) => l.record.version)].join('.'),
      maxAge: Math.min(...levels.map((l) => minTtl(l.view, REDIRECT_MAX_AGE))),
    };
  });
}

/** The Link header of an answer that is not a passport one (URL values, record pages): the linkset link. */
export const linkHeaderOf = (anchor: string, links: readonly string[] = []): string =>
  [linksetLink(anchor), ...links].join(', ');

/** Query keys are matched case-insensitively (GS1 CE accepts linktype, linkType, ...). */
export function queryParam(query: Record<string, unknown>, name: string): string | undefined {
  for (const [k, v] of Object.entries(query)) {
    if (k.toLowerCase() !== name) continue;
    return Array.isArray(v) ? String(v[0]) : typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

type LinksetForm = 'linkset' | 'json' | 'ld' | 'idnode';

const FORM_TYPES: readonly [LinksetForm, string][] = [
  ['linkset', LINKSET_MEDIA_TYPE],
  ['ld', JSON_LD_MEDIA_TYPE],
  ['idnode', IDNODE_LINKSET_MEDIA_TYPE],
  ['json', 'application/json'],
];

/**
 * The linkset rather than a redirect, and in which form: asked for by media type (RFC 9264,
 * JSON-LD, idnode's own) or by linkType=linkset|all. Plain `application/json` counts only for
 * records with typed links (GS1 CE does the same); a Handle client asking a URL-only record for
 * JSON keeps getting Handle's redirect.
 */
function linksetForm(request: FastifyRequest, linkType: string | undefined, typed: boolean): LinksetForm | undefined {
  const accept = parseWeighted(request.headers.accept);
  const q = (t: string): number => accept.find((a) => a.value === t)?.q ?? 0;
  let best: LinksetForm | undefined;
  let bestQ = 0;
  for (const [form, type] of FORM_TYPES) {
    const fq = form === 'json' && (!typed || q('application/json') < q('text/html')) ? 0 : q(type);
    if (fq > bestQ) [best, bestQ] = [form, fq];
  }
  if (best !== undefined) return best;
  const lt = linkType?.toLowerCase();
  return lt === 'linkset' || lt === 'all' ? 'linkset' : undefined;
}

function commonHeaders(reply: FastifyReply, p: PassportRequest, r: Rendered, tag: string, link = r.link): void {
  const cacheControl = p.tier === 'public' ? `public, max-age=${r.maxAge}` : 'private, no-store';
  reply
    .header('link', link)
    .header('vary', VARY)
    .header('cache-control', cacheControl)
    .header('etag', `"${r.versions}-${p.tier[0]}-${tag}"`);
}

const CONTENT_TYPE: Record<LinksetForm, string> = {
  linkset: LINKSET_MEDIA_TYPE,
  json: 'application/json; charset=utf-8',
  ld: `${JSON_LD_MEDIA_TYPE}; charset=utf-8`,
  idnode: IDNODE_LINKSET_MEDIA_TYPE,
};

/** GS1's form as JSON-LD: the same members with GS1's context named inside (JSON-LD ignores a Link context there). */
const withContext = (gs1: string): string => `{"@context":${JSON.stringify(GS1_LINKSET_CONTEXT)},${gs1.slice(1)}`;

function bodyOf(form: LinksetForm, r: Rendered): string {
  if (form === 'idnode') return r.idnode;
  return form === 'ld' ? withContext(r.gs1) : r.gs1;
}

function sendLinkset(
  reply: FastifyReply,
  p: PassportRequest,
  r: Rendered,
  form: LinksetForm,
  status: number,
  body?: string,
) {
  const text = body ?? bodyOf(form, r);
  // A JSON linkset names its JSON-LD context in a Link header; JSON-LD and idnode's own form do not need it.
  const link = form === 'linkset' || form === 'json' ? `${r.link}, ${JSON_LD_CONTEXT_LINK}` : r.link;
  commonHeaders(reply, p, r, status === 200 ? form : `choices-${shortHash(text)}`, link);
  if (status === 200 && reply.request.headers['if-none-match'] === reply.getHeader('etag')) {
    return reply.code(304).send();
  }
  return reply.code(status).type(CONTENT_TYPE[form]).send(text);
}

/** The request's key=value pairs GS1 says a redirect passes on: all but idnode's own. */
function forwardedQuery(request: FastifyRequest): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of queryPairs(request)) if (!IDNODE_PARAMS.has(k.toLowerCase())) out.append(k, v);
  return out;
}

/**
 * The request's key=value pairs, from the parsed query: a compressed Digital Link request has had
 * it replaced by its uncompressed URI's query (routes/gs1-compressed.ts), which is what passes on.
 */
function queryPairs(request: FastifyRequest): [string, string][] {
  const q = (request.query ?? {}) as Record<string, unknown>;
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(q)) {
    for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') pairs.push([k, x]);
  }
  return pairs;
}

/** Location: the target plus the request's query (unless the link says fwqs: false). */
export function locationOf(href: string, request: FastifyRequest, forward = true): string {
  const url = new URL(headerSafeUrl(href));
  if (forward) for (const [k, v] of forwardedQuery(request)) url.searchParams.append(k, v);
  return url.href;
}

function sendRedirect(reply: FastifyReply, p: PassportRequest, r: Rendered, link: PassportLink) {
  const location = locationOf(link.href, reply.request, link.fwqs);
  commonHeaders(reply, p, r, shortHash(location));
  return reply.redirect(location, 307);
}

/** Every link of the record hands off (gs1:handledBy): the request goes to that resolver, as it came. */
const handOff = (view: LinkView): PassportLink | undefined =>
  view.current.length > 0 && view.current.every((l) => l.linkType === HANDLED_BY_IRI) ? view.defaultLink : undefined;

function sendHandOff(reply: FastifyReply, p: PassportRequest, r: Rendered, link: PassportLink) {
  const base = new URL(headerSafeUrl(link.href));
  const target = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${new URL(p.anchor).pathname}`);
  if (link.fwqs) for (const [k, v] of queryPairs(reply.request)) target.searchParams.append(k, v);
  commonHeaders(reply, p, r, shortHash(target.href), `${r.link}, ${handledByLink(target.href)}`);
  return reply.redirect(target.href, 307);
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

/** The asked level decides; a link type it lacks is inherited from the first level above that has it. */
function decide(r: Rendered, prefs: Preferences): { decision: Decision; level: Level } {
  const own = r.levels[0] as Level;
  const first = negotiate(own.view, prefs);
  if (first.kind !== 'missing' || prefs.linkType === undefined) return { decision: first, level: own };
  for (const level of r.levels.slice(1)) {
    const d = negotiate(level.view, prefs);
    if (d.kind !== 'missing') return { decision: d, level };
  }
  return { decision: first, level: own };
}

/**
 * Whether answerPassport says 'not-passport' for every plain scan of this record by this tier (a
 * request with no query and no JSON media type in Accept): no typed link, no hand-off. Kept with
 * the answer, so the common scan of a URL record skips the negotiation it would not use.
 */
export const isHandleRecord = (p: Pick<PassportRequest, 'record' | 'memo' | 'tier'>): boolean =>
  p.memo.get(`handle-record:${p.tier}`, () => {
    const view = linkView(p.record.values, p.tier);
    return view.fromUrls && handOff(view) === undefined;
  });

/** Answers a found record on the QR / GS1 route, or says Handle behaviour applies ('not-passport'). */
export function answerPassport(request: FastifyRequest, reply: FastifyReply, p: PassportRequest): PassportAnswer {
  const r = rendered(p);
  const own = (r.levels[0] as Level).view;
  const handedTo = handOff(own);
  if (handedTo !== undefined) return { kind: 'handled', reply: sendHandOff(reply, p, r, handedTo) };
  const linkType = queryParam(request.query as Record<string, unknown>, 'linktype');
  const form = linksetForm(request, linkType, !own.fromUrls);
  if (form !== undefined) return { kind: 'handled', reply: sendLinkset(reply, p, r, form, 200) };
  if (own.fromUrls && linkType === undefined) return { kind: 'not-passport' };
  const prefs = preferences(request, linkType);
  const { decision, level } = prefs
    ? decide(r, prefs)
    : { decision: { kind: 'missing', linkType: linkType ?? '' } as Decision, level: r.levels[0] as Level };
  switch (decision.kind) {
    case 'redirect':
      return { kind: 'handled', reply: sendRedirect(reply, p, r, decision.link) };
    case 'choices': {
      const body = JSON.stringify(gs1Linkset([{ ...level.context, only: decision.links }]));
      return { kind: 'handled', reply: sendLinkset(reply, p, r, 'linkset', 300, body) };
    }
    case 'missing':
      // The problem answer still carries the Link header: the client learns where the linkset is.
      commonHeaders(reply, p, r, 'missing');
      return { kind: 'missing', linkType: linkType ?? decision.linkType };
  }
}
