import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier, type ParsedIdentifier } from '../../identifier/index.ts';
import { visibleValues } from '../../records/access.ts';
import type { HandleValue, StoredRecord } from '../../records/types.ts';
import type { AppContext } from '../app-context.ts';
import { errorBody } from '../errors.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { escapeHtml, PAGE_CSP, problemPage, recordPage } from '../render/html.ts';
import { redactSecrets } from '../../write/secrets.ts';

/**
 * GET /{identifier}: the URL a QR code carries. Handle proxy behaviour: 302 to the record's
 * lowest-index URL value; `?noredirect` shows the record; `?index=N` picks a value.
 */

const REDIRECT_MAX_AGE = 300;

const isUrl = (v: HandleValue): boolean => v.type.toUpperCase() === 'URL' && typeof v.data.value === 'string';

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

function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  record: StoredRecord,
  ctx: AppContext,
  id: ParsedIdentifier,
) {
  const values = redactSecrets(visibleValues(record.values, 'public'));
  const q = request.query as Record<string, string | undefined>;
  if (q.noredirect !== undefined) return sendHtml(reply, 200, recordPage(record.handle, values));
  let target: HandleValue | undefined;
  if (q.index !== undefined) {
    const n = Number(q.index);
    if (!Number.isInteger(n) || n < 1)
      return sendProblem(
        request,
        reply,
        new IdnError('IDN_ERR_INVALID_QUERY', 'index must be a positive integer.'),
        ctx,
        id,
      );
    target = values.find((v) => v.index === n);
    if (!target)
      return sendProblem(
        request,
        reply,
        new IdnError('IDN_ERR_NO_REDIRECT_TARGET', `${record.handle} has no public value at index ${n}.`),
        ctx,
        id,
      );
  } else {
    target = values.filter(isUrl).sort((a, b) => a.index - b.index)[0];
  }
  // Handle's proxy shows the record when there is nothing to redirect to.
  if (!target || !isUrl(target)) return sendHtml(reply, 200, recordPage(record.handle, values));
  reply.header('cache-control', `public, max-age=${Math.min(target.ttl, REDIRECT_MAX_AGE)}`);
  return reply.redirect(target.data.value as string, 302);
}

export function registerProxy(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/*',
    { schema: { summary: 'QR / proxy resolution: redirect to the record URL', tags: ['resolution'] } },
    async (request, reply) => {
      let id: ParsedIdentifier;
      try {
        id = parseIdentifier(rawPathTail(request.url, 1), 'uri');
      } catch (e) {
        if (e instanceof IdnError) return sendProblem(request, reply, e, ctx);
        throw e;
      }
      const outcome = await ctx.resolve({ id, authoritative: false });
      switch (outcome.kind) {
        case 'found':
          return answer(request, reply, outcome.record, ctx, id);
        case 'not-found':
          return sendProblem(
            request,
            reply,
            new IdnError(outcome.gone ? 'IDN_ERR_GONE' : 'IDN_ERR_NOT_FOUND'),
            ctx,
            id,
          );
        case 'referral':
          return sendProblem(request, reply, new IdnError('IDN_ERR_NOT_RESPONSIBLE'), ctx, id);
        case 'error':
          return sendProblem(request, reply, outcome.error, ctx, id);
      }
    },
  );
}
