import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier, parsePrefix, type ParsedIdentifier } from '../../identifier/index.ts';
import { auditRead } from '../../audit/audit-read.ts';
import { visibleValues } from '../../records/access.ts';
import type { AccessTier, HandleValue, StoredRecord } from '../../records/types.ts';
import { answerPassport, VARY } from '../../passport/respond.ts';
import { publicBase, readPassportSettings, resolverUrl } from '../../passport/settings.ts';
import { isUrlValue as isUrl, redirectTargetOf } from '../../passport/links.ts';
import type { Outcome } from '../../resolve/outcome.ts';
import type { AppContext } from '../app-context.ts';
import { errorBody } from '../errors.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { escapeHtml, PAGE_CSP, problemPage, recordPage } from '../render/html.ts';
import { redactSecrets } from '../../write/secrets.ts';

/**
 * GET /{identifier}: the URL a QR code carries.
 * - Records with typed links (LINK values the reader may see): GS1 / UNTP resolver behaviour,
 *   307 to the default link or the asked linkType, 300 for equally good variants, the RFC 9264
 *   linkset for Accept: application/linkset+json or linkType=linkset (node/src/passport/respond.ts).
 * - Records with plain URL values only: Handle proxy behaviour, 302 to the lowest-index URL value.
 * - Both: `?noredirect` shows the record; `?index=N` picks a value.
 * - `GET /<prefix>` (no suffix) is the prefix's own record `0.NA/<prefix>` (enterprises, parks).
 */

const REDIRECT_MAX_AGE = 300;

function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8').send(html);
}

/** An error as the QR route shows it: a page for people, the JSON error body for Accept: application/json. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  e: IdnError,
  ctx: AppContext,
  id?: ParsedIdentifier,
) {
  if (wantsJson(request)) return reply.code(e.spec.http).send(errorBody(e, id?.handle));
  return sendHtml(
    reply,
    e.spec.http,
    problemPage({ title: titleOf(e), code: e.code, message: e.message, hints: hintsFor(e, ctx, id) }),
  );
}

function titleOf(e: IdnError): string {
  if (e.code === 'IDN_ERR_NOT_FOUND') return 'Identifier not found';
  if (e.code === 'IDN_ERR_LINK_TYPE_NOT_FOUND') return 'No such link';
  if (e.code === 'IDN_ERR_GONE') return 'Identifier withdrawn';
  return e.spec.http === 400 ? 'Not a valid identifier' : 'Cannot resolve this identifier';
}

function hintsFor(e: IdnError, ctx: AppContext, id?: ParsedIdentifier): string[] {
  const homed = ctx.homed.prefixes.map((p) => `<code>${escapeHtml(p)}</code>`).join(', ');
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

function badIndex(request: FastifyRequest, reply: FastifyReply, ctx: AppContext, id: ParsedIdentifier) {
  return sendProblem(
    request,
    reply,
    new IdnError('IDN_ERR_INVALID_QUERY', 'index must be a positive integer.'),
    ctx,
    id,
  );
}

/** `?index=N`: that value, if the reader may see it; a URL gets Handle's 302, a LINK its 307. */
function answerIndex(
  request: FastifyRequest,
  reply: FastifyReply,
  record: StoredRecord,
  values: readonly HandleValue[],
  tier: AccessTier,
  ctx: AppContext,
  id: ParsedIdentifier,
) {
  const n = Number((request.query as Record<string, string>).index);
  if (!Number.isInteger(n) || n < 1) return badIndex(request, reply, ctx, id);
  const target = values.find((v) => v.index === n);
  if (!target) {
    const e = new IdnError('IDN_ERR_NO_REDIRECT_TARGET', `${record.handle} has no public value at index ${n}.`);
    return sendProblem(request, reply, e, ctx, id);
  }
  // Only values that pass today's rules are redirect targets (passport/links.ts); any other is shown.
  const to = redirectTargetOf(target);
  if (to === undefined) return sendHtml(reply, 200, recordPage(record.handle, values));
  reply.header('cache-control', cacheControl(target, tier));
  return reply.redirect(to.href, to.link ? 307 : 302);
}

/** A redirect a reader with more than public access got must not sit in a shared cache. */
const cacheControl = (target: HandleValue, tier: AccessTier): string =>
  tier === 'public' ? `public, max-age=${Math.min(target.ttl, REDIRECT_MAX_AGE)}` : 'private, no-store';

/** Handle proxy behaviour: 302 to the lowest-index URL value, or the record page when there is none. */
function answerHandle(reply: FastifyReply, record: StoredRecord, values: readonly HandleValue[], tier: AccessTier) {
  const target = values.filter(isUrl).sort((a, b) => a.index - b.index)[0];
  if (!target) return sendHtml(reply, 200, recordPage(record.handle, values));
  return reply.header('cache-control', cacheControl(target, tier)).redirect(target.data.value as string, 302);
}

async function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  found: Outcome & { kind: 'found' },
  ctx: AppContext,
  id: ParsedIdentifier,
  anchor: string,
) {
  const { record } = found;
  const q = request.query as Record<string, string | undefined>;
  const auth = request.headers.authorization;
  const reader = auth === undefined ? undefined : await ctx.readers.readerFor(auth, record, q.publicOnly === 'true');
  const tier = reader?.tier ?? 'public';
  const values = redactSecrets(visibleValues(record.values, tier));
  if (found.resolvedVia !== undefined) {
    reply.header('x-idnode-resolved-via', found.resolvedVia).header('x-idnode-resolved-from', found.answeredBy);
  }
  if (reader !== undefined && tier !== 'public') {
    reply.header('vary', VARY);
    // Conservative: everything this reader could be shown here (page, linkset, redirect target) is audited.
    auditRead(ctx, reader, record, values, {
      route: 'qr',
      identifier: id.handle,
      ...(found.resolvedVia === undefined ? {} : { resolvedVia: found.resolvedVia, answeredBy: found.answeredBy }),
    });
  }
  if (q.noredirect !== undefined) return sendHtml(reply, 200, recordPage(record.handle, values));
  if (q.index !== undefined) return answerIndex(request, reply, record, values, tier, ctx, id);
  const passport = answerPassport(request, reply, { record, memo: found.memo, tier, anchor });
  switch (passport.kind) {
    case 'handled':
      return passport.reply;
    case 'missing': {
      const what = passport.linkType === '' ? 'no link' : `no "${passport.linkType}" link`;
      const e = new IdnError('IDN_ERR_LINK_TYPE_NOT_FOUND', `${record.handle} has ${what} that you may see.`);
      return sendProblem(request, reply, e, ctx, id);
    }
    case 'not-passport':
      return answerHandle(reply, record, values, tier);
  }
}

/** Resolves `id` and answers as the QR route does; the GS1 Digital Link route shares it with its own anchor. */
export async function resolveAndAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: AppContext,
  id: ParsedIdentifier,
  anchor: string,
) {
  const outcome = await ctx.resolve({ id, authoritative: false });
  switch (outcome.kind) {
    case 'found':
      reply.header('x-idnode-source', outcome.source);
      return answer(request, reply, outcome, ctx, id, anchor);
    case 'not-found':
      return sendProblem(request, reply, new IdnError(outcome.gone ? 'IDN_ERR_GONE' : 'IDN_ERR_NOT_FOUND'), ctx, id);
    case 'referral':
      return sendProblem(request, reply, new IdnError('IDN_ERR_NOT_RESPONSIBLE'), ctx, id);
    case 'error':
      return sendProblem(request, reply, outcome.error, ctx, id);
  }
}

/**
 * The identifier of a QR path. A path without "/" that is a valid prefix (`/88.100.5`) names the
 * prefix's own record `0.NA/88.100.5` (an enterprise or a park); anything else keeps the parser's error.
 */
export function qrIdentifier(raw: string): ParsedIdentifier {
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

export function registerProxy(app: FastifyInstance, ctx: AppContext): void {
  const settings = readPassportSettings(process.env);
  app.get(
    '/*',
    { schema: { summary: 'QR / proxy resolution: redirect, or negotiate typed links', tags: ['resolution'] } },
    async (request, reply) => {
      let id: ParsedIdentifier;
      try {
        id = qrIdentifier(rawPathTail(request.url, 1));
      } catch (e) {
        if (e instanceof IdnError) return sendProblem(request, reply, e, ctx);
        throw e;
      }
      return resolveAndAnswer(request, reply, ctx, id, resolverUrl(publicBase(app, settings), id.handle));
    },
  );
}
