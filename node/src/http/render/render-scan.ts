import type { FastifyReply } from 'fastify';
import { IdnError } from '../../errors/idn-error.ts';
import type { ParsedIdentifier } from '../../identifier/index.ts';
import { isUrlValue as isUrl, redirectTargetOf } from '../../passport/links.ts';
import { answerPassport, isHandleRecord, linkHeaderOf, locationOf, VARY } from '../../passport/respond.ts';
import type { RenderMemo } from '../../records/render-memo.ts';
import type { AccessTier, HandleValue } from '../../records/types.ts';
import type { FoundAnswer, ResolvedAnswer } from '../../resolve/answer.ts';
import { markRestricted } from '../cors.ts';
import { errorBody, prepareError } from '../errors.ts';
import { errorOf } from './answer-error.ts';
import { escapeHtml, PAGE_CSP, problemPage } from './html.ts';
import { recordPage } from './record-page.ts';

/**
 * The QR route's rendering (GET /{identifier}, and the GS1 Digital Link paths):
 * - records with typed links (LINK values the reader may see): GS1 / UNTP resolver behaviour,
 *   307 to the default link or the asked linkType, 300 for equally good variants, the RFC 9264
 *   linkset (passport/respond.ts negotiates);
 * - records with plain URL values only: Handle proxy behaviour, 302 to the lowest-index URL value
 *   (with the Link header to the linkset, so that a GS1 client finds it, and the query passed on);
 * - `?noredirect` shows the record; `?index=N` picks a value;
 * - errors: a page for people, the JSON error body for Accept: application/json.
 * An answer showing a reader more than the public values is never readable cross-origin (CORS).
 */
export interface ScanFormat {
  readonly kind: 'qr';
  /** The URL the identifier is resolved at (linkset anchor): the QR URL or the GS1 Digital Link URL. */
  readonly anchor: string;
  /** The URL of another identifier in the same scheme (the anchors of the GS1 levels above). */
  readonly anchorOf: (handle: string) => string;
  /** The prefixes this node resolves, named on problem pages. */
  readonly homed: readonly string[];
  /** Further Link header entries of every answer (the owl:sameAs of a compressed Digital Link URI). */
  readonly links?: readonly string[];
}

const REDIRECT_MAX_AGE = 300;

/** What the record page shows this reader: its values, and whether it is an admin of the record. */
const pageOf = (a: FoundAnswer) => ({
  handle: a.record.handle,
  values: a.values,
  tier: a.tier,
  admin: a.reader.via === 'admin',
});

export function renderScan(reply: FastifyReply, a: ResolvedAnswer, f: ScanFormat): FastifyReply {
  if (a.kind === 'not-found' && a.memo !== undefined) return sendProblem(reply, errorOf(a, false), f, a.id, a.memo);
  if (a.kind !== 'found') return sendProblem(reply, errorOf(a, false), f, a.id);
  const q = reply.request.query as Record<string, string | undefined>;
  const { record, tier } = a;
  if (tier !== 'public') {
    reply.header('vary', VARY);
    markRestricted(reply);
  }
  // Every found answer tells a GS1 client where the linkset is, whatever else it does.
  reply.header('link', linkOf(a, f));
  // The common scan (no query, no JSON asked for) of a URL record: Handle's redirect, no negotiation.
  if (isPlainScan(reply) && isHandleRecord(a)) return answerHandle(reply, a);
  if (q.noredirect !== undefined) return sendHtml(reply, 200, recordPage(pageOf(a)));
  if (q.index !== undefined) return answerIndex(reply, a, q.index, f);
  const levels = a.levels.map((r) => ({ anchor: f.anchorOf(r.handle), record: r }));
  const passport = answerPassport(reply.request, reply, {
    record,
    memo: a.memo,
    tier,
    anchor: f.anchor,
    levels,
    ...(f.links === undefined ? {} : { links: f.links }),
  });
  switch (passport.kind) {
    case 'handled':
      return passport.reply;
    case 'missing': {
      const what = passport.linkType === '' ? 'no link' : `no "${passport.linkType}" link`;
      const e = new IdnError('IDN_ERR_LINK_TYPE_NOT_FOUND', `${record.handle} has ${what} that you may see.`);
      return sendProblem(reply, e, f, a.id);
    }
    case 'not-passport':
      return answerHandle(reply, a);
  }
}

/**
 * No query (so no linkType, noredirect or index) and no JSON media type in Accept (every linkset
 * form is one): answerPassport would answer a URL record's scan with 'not-passport'.
 */
const isPlainScan = (reply: FastifyReply): boolean =>
  noQuery(reply) && !/json/i.test(reply.request.headers.accept ?? '');

/** Neither in the URL nor in request.query (a compressed Digital Link request carries its query inside the path). */
function noQuery(reply: FastifyReply): boolean {
  if (reply.request.url.includes('?')) return false;
  for (const _ in reply.request.query as object) return false;
  return true;
}

/** The last Link header built for a found answer; the anchor is the request's, so it is checked each time. */
interface LastLink {
  anchor: string;
  link: string;
}

/**
 * The Link header (its URL is parsed to make it header-safe): one slot kept with the answer for
 * the anchor last asked, so a repeated scan builds nothing and spellings of one identifier cannot
 * grow the memo.
 */
function linkOf(a: FoundAnswer, f: ScanFormat): string {
  if (f.links !== undefined) return linkHeaderOf(f.anchor, f.links);
  const last = a.memo.get<LastLink>('qr-link', () => ({ anchor: '', link: '' }));
  if (last.anchor !== f.anchor || last.link === '') {
    last.link = linkHeaderOf(f.anchor);
    last.anchor = f.anchor;
  }
  return last.link;
}

function wantsJson(reply: FastifyReply): boolean {
  const accept = reply.request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8').send(html);
}

/**
 * An error as the QR route shows it, marked for the access log like any other. With the memo of a
 * cached "not found" the page is built once (it depends on the identifier and this node's prefixes only).
 */
function sendProblem(
  reply: FastifyReply,
  e: IdnError,
  f: ScanFormat,
  id?: ParsedIdentifier,
  memo?: RenderMemo,
): FastifyReply {
  prepareError(reply, e);
  if (f.links !== undefined && f.links.length > 0 && !reply.hasHeader('link')) reply.header('link', f.links.join(', '));
  if (wantsJson(reply)) return reply.code(e.spec.http).send(errorBody(e, id?.handle));
  const page = (): string =>
    problemPage({ title: titleOf(e), code: e.code, message: e.message, hints: hintsFor(e, f, id) });
  return sendHtml(reply, e.spec.http, memo === undefined ? page() : memo.get('qr:not-found-page', page));
}

function titleOf(e: IdnError): string {
  if (e.code === 'IDN_ERR_NOT_FOUND') return 'Identifier not found';
  if (e.code === 'IDN_ERR_LINK_TYPE_NOT_FOUND') return 'No such link';
  if (e.code === 'IDN_ERR_GONE') return 'Identifier withdrawn';
  if (e.code === 'IDN_ERR_NO_REDIRECT_TARGET') return 'No such value';
  return e.spec.http === 400 ? 'Not a valid identifier' : 'Cannot resolve this identifier';
}

function hintsFor(e: IdnError, f: ScanFormat, id?: ParsedIdentifier): string[] {
  const homed = f.homed.map((p) => `<code>${escapeHtml(p)}</code>`).join(', ');
  const hints = [`This node resolves identifiers under ${homed}.`];
  if (e.code === 'IDN_ERR_NOT_FOUND' && id) {
    hints.push(
      `Nothing is registered as <code>${escapeHtml(id.handle)}</code>. Check the code on the product; letters match case-insensitively.`,
      `Owners register it with <code>PUT /api/handles/${escapeHtml(id.handle)}</code> (see <a href="/docs">the API docs</a>).`,
    );
  }
  if (e.spec.http === 400)
    hints.push('Identifiers look like <code>88.100.5/BAT-2025-000001</code>: a prefix, "/", then a suffix.');
  return hints;
}

/** A redirect a reader with more than public access got must not sit in a shared cache. */
const cacheControl = (target: HandleValue, tier: AccessTier): string =>
  tier === 'public' ? `public, max-age=${Math.min(target.ttl, REDIRECT_MAX_AGE)}` : 'private, no-store';

/** `?index=N`: that value, if the reader may see it; a URL gets Handle's 302, a LINK its 307. */
function answerIndex(reply: FastifyReply, a: FoundAnswer, raw: string, f: ScanFormat): FastifyReply {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    return sendProblem(reply, new IdnError('IDN_ERR_INVALID_QUERY', 'index must be a positive integer.'), f, a.id);
  }
  const target = a.values.find((v) => v.index === n);
  if (!target) {
    const e = new IdnError(
      'IDN_ERR_NO_REDIRECT_TARGET',
      `${a.record.handle} has no value at index ${n} that you may see.`,
    );
    return sendProblem(reply, e, f, a.id);
  }
  // Only values that pass today's rules are redirect targets (passport/links.ts); any other is shown.
  const to = redirectTargetOf(target);
  if (to === undefined) return sendHtml(reply, 200, recordPage(pageOf(a)));
  reply.header('cache-control', cacheControl(target, a.tier));
  // As the parser reads it, never the stored text: `https:evil.example` would be read twice differently.
  return reply.redirect(locationOf(to.href, reply.request, false), to.link ? 307 : 302);
}

/**
 * Handle proxy behaviour: 302 to the lowest-index URL value, or the record page when there is none.
 * The request's query is passed on (GS1: all key=value pairs, by default), as for typed links.
 */
function answerHandle(reply: FastifyReply, a: FoundAnswer): FastifyReply {
  // A scan without a query (nearly all of them) gets the same redirect every time: built once per
  // tier and kept with the (cached) answer, so a hit parses no URL and sorts no values.
  const plain = !a.filtered && noQuery(reply);
  const r = plain ? a.memo.get(`qr-302:${a.tier}`, () => handleRedirect(reply, a)) : handleRedirect(reply, a);
  if (r === undefined) return sendHtml(reply, 200, recordPage(pageOf(a)));
  return reply.header('cache-control', r.cacheControl).redirect(r.location, 302);
}

function handleRedirect(reply: FastifyReply, a: FoundAnswer): { location: string; cacheControl: string } | undefined {
  const target = a.values.filter(isUrl).sort((x, y) => x.index - y.index)[0];
  if (!target) return undefined;
  const href = target.data.value as string;
  let location = href;
  try {
    location = locationOf(href, reply.request);
  } catch {
    // A URL value that is no absolute URL (written long ago, or relative): sent as it is, as before.
  }
  return { location, cacheControl: cacheControl(target, a.tier) };
}
