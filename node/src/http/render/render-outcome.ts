import type { FastifyReply } from 'fastify';
import type { ResolvedAnswer } from '../../resolve/answer.ts';
import { renderJson } from './render-json.ts';
import { renderScan, type ScanFormat } from './render-scan.ts';
import { armSigning } from './sign-answer.ts';

export type { ScanFormat } from './render-scan.ts';

/** 'json': the Handle-compatible JSON API. A ScanFormat: the QR / GS1 routes (redirects, linksets, pages). */
export type RenderFormat = 'json' | ScanFormat;

/**
 * The HTTP side of every resolution answer. Every answer, whatever its kind and route, carries
 * its provenance: `x-idnode-source` (cache, store, upstream, stale; none when no source answered)
 * and `x-idnode-authoritative` (false for takeover answers, errors and referrals), plus
 * `x-idnode-resolved-via` / `-from` for derived answers. Errors are marked for the access log.
 */
export function renderOutcome(reply: FastifyReply, answer: ResolvedAnswer, format: RenderFormat): FastifyReply {
  const p = answer.provenance;
  reply.header('x-idnode-source', p.source).header('x-idnode-authoritative', p.authoritative ? 'true' : 'false');
  if (p.resolvedVia !== undefined) reply.header('x-idnode-resolved-via', p.resolvedVia);
  if (p.answeredBy !== undefined) reply.header('x-idnode-resolved-from', p.answeredBy);
  // Signed, when asked or configured, by the onSend hook over the bytes written (sign-answer.ts).
  armSigning(reply, answer);
  return format === 'json' ? renderJson(reply, answer) : renderScan(reply, answer, format);
}
