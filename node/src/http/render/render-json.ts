import type { FastifyReply } from 'fastify';
import { HandleRc } from '../../errors/codes.ts';
import { IdnError } from '../../errors/idn-error.ts';
import type { RenderMemo } from '../../records/render-memo.ts';
import type { FoundAnswer, GoneAnswer, NotFoundAnswer, ResolvedAnswer } from '../../resolve/answer.ts';
import { errorBody, prepareError, sendError } from '../errors.ts';
import { etagOf } from './record-json.ts';
import { errorOf } from './answer-error.ts';
import { CANONICAL_CONTENT_TYPE } from '../../signing/canonical-answer.ts';

const JSON_TYPE = CANONICAL_CONTENT_TYPE;

/** A response ready to write: built once per (answer, tier) and kept with a cached answer. */
interface RenderedRecord {
  /** Encoded once: a hit writes bytes, with no JSON or UTF-8 encoding per request. */
  readonly body: Buffer;
  readonly etag: string;
  readonly cacheControl: string;
}

/**
 * A body kept with a cached answer gets memory of its own: Buffer.from() of a short string slices
 * Node's shared 8 KiB pool, and one long-lived slice pins the whole slab after its neighbours are
 * garbage, so evictions would leave up to a slab per surviving entry behind (outside the JS heap).
 */
function ownBytes(text: string): Buffer {
  const b = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  b.write(text);
  return b;
}

/** The Handle JSON of a found answer; a peer signs these same bytes for the nodes it answers (ADR 0011). */
export function recordJsonText(a: FoundAnswer): string {
  // The error table decides the code of an answer whose filters matched nothing (Handle RC 200).
  const responseCode = a.valuesMissing?.spec.rc ?? HandleRc.SUCCESS;
  return JSON.stringify({ responseCode, handle: a.record.handle, values: a.values });
}

function render(a: FoundAnswer): RenderedRecord {
  return {
    body: ownBytes(recordJsonText(a)),
    etag: etagOf(a.record, a.tier),
    cacheControl: a.cache.shared ? `public, max-age=${a.cache.maxAge}` : 'private, no-store',
  };
}

/**
 * Handle answers a deleted handle exactly as one never created: HTTP 404, responseCode 100 (Handle
 * clients treat only that as "not found"). The detail says more for clients that read it; the QR
 * route keeps its 410 "withdrawn" page (render-scan.ts).
 */
function deletedAsNotFound(a: GoneAnswer): IdnError {
  const at = a.record.deletedAt;
  return new IdnError('IDN_ERR_NOT_FOUND', `No record exists for this identifier (it was deleted at ${at ?? '?'}).`, {
    deleted: true,
    ...(at === undefined ? {} : { deletedAt: at }),
  });
}

/** The JSON API (Handle.Net v9 REST): the record, or the error body from the table. */
export function renderJson(reply: FastifyReply, a: ResolvedAnswer): FastifyReply {
  if (a.kind === 'gone') return sendJsonError(reply, deletedAsNotFound(a), a);
  if (a.kind === 'not-found' && a.trace === undefined) return sendNotFound(reply, a, a.memo);
  if (a.kind !== 'found') return sendJsonError(reply, errorOf(a, true), a);
  const status = a.valuesMissing?.spec.http ?? 200;
  if (a.valuesMissing !== undefined) prepareError(reply, a.valuesMissing);
  if (a.trace !== undefined) return sendTraced(reply, render(a), a.trace, status);
  const r = a.filtered ? render(a) : a.memo.get(`json:${a.tier}`, () => render(a));
  reply.header('etag', r.etag).header('cache-control', r.cacheControl);
  if (reply.request.headers['if-none-match'] === r.etag) return reply.code(304).send();
  return reply.code(status).type(JSON_TYPE).send(r.body);
}

/**
 * "Not found" as encoded bytes, not an object for the error schema's serializer: the answer of a
 * flood of unknown identifiers. A cached one keeps its body in its memo, so a hit is a lookup.
 */
function sendNotFound(reply: FastifyReply, a: NotFoundAnswer, memo: RenderMemo | undefined): FastifyReply {
  const e = errorOf(a, true);
  const encode = (): Buffer => ownBytes(JSON.stringify(errorBody(e, a.id?.handle)));
  prepareError(reply, e);
  return reply
    .code(e.spec.http)
    .type(JSON_TYPE)
    .send(memo === undefined ? encode() : memo.get('json:not-found', encode));
}

/** A traced answer is never memoised, cached by clients or answered 304: it is about this one request. */
function sendTraced(reply: FastifyReply, r: RenderedRecord, trace: readonly unknown[], status: number): FastifyReply {
  const body = { ...(JSON.parse(r.body.toString('utf8')) as object), trace };
  reply.header('cache-control', 'private, no-store').header('etag', r.etag);
  return reply
    .code(status)
    .type(JSON_TYPE)
    .send(Buffer.from(JSON.stringify(body)));
}

/** As sendError; a traced one is sent as bytes (the error schema would drop the trace). */
function sendJsonError(reply: FastifyReply, e: IdnError, a: ResolvedAnswer): FastifyReply {
  const handle = a.id?.handle;
  if (a.trace === undefined) return sendError(reply, e, handle);
  prepareError(reply, e);
  const body = { ...errorBody(e, handle), trace: a.trace };
  return reply
    .code(e.spec.http)
    .type(JSON_TYPE)
    .send(Buffer.from(JSON.stringify(body)));
}
