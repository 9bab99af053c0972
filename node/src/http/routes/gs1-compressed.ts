import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdnError } from '../../errors/idn-error.ts';
import {
  BASE64URL_RE,
  decodeSegment,
  decompressDigitalLink,
  isPrimaryKey,
  type DecompressedLink,
} from '../../passport/gs1-compression/index.ts';
import { publicBase } from '../../passport/settings.ts';
import type { AppContext } from '../app-context.ts';
import { rawPathTail } from '../raw-identifier.ts';
import { answerDigitalLinkPath } from './gs1-digital-link.ts';
import { PRIMARY_KEY_AIS } from '../../passport/gs1-keys.ts';
import { answerQrPath, scanErrorHandler } from './proxy.ts';

/**
 * Compressed GS1 Digital Link URIs (GS1 Resolver Standard 1.2, criteria 4 and 5): the node
 * decompresses `/ARFKk4XBoA` (full form) and `/01/{gtin}/EEarwSM` (partial form) and answers
 * exactly as the uncompressed URI would be answered, through the same route code, with
 * `Link: <uncompressed>; rel="owl:sameAs"` on the answer.
 *
 * How a compressed URI is told apart from a QR path:
 * - `/{prefix}/{suffix}` has two non-empty segments; the full form is ONE segment (a trailing
 *   slash tolerated), so these routes (`/:segment`, `/:segment/`) never see such a path.
 * - `/{prefix}` alone (a prefix's own record, `0.NA/{prefix}`) is one segment too. It is read as
 *   compressed only when it is base64url, is not a prefix this node homes, and its bit stream
 *   reads through a whole GS1 primary-key value: `/88.100.5` ("."), `/products`, `/health` and
 *   `/IDNODE` do not, and go to the QR route as before. Once a key value was read, every later
 *   fault is the coded 400 of the compressed form (check digit, truncation, unknown AI...).
 * - The partial form is three segments under `/01/`, a path the GS1 route refuses (odd count),
 *   so nothing valid is shadowed: its last segment is read as compressed (a bad character is then
 *   the coded 400 naming it), except digits alone that do not decode (`/01/{gtin}/21`, a dangling AI).
 */

/** The uncompressed URI of each compressed request, for the onSend hook that adds the sameAs link. */
const SAME_AS = new WeakMap<FastifyRequest, string>();

/** Whether `segment` reads as compressed GS1 data through a whole primary-key value, or one whole element. */
function readsAsCompressed(segment: string, need: 'key' | 'element'): boolean {
  if (!BASE64URL_RE.test(segment)) return false;
  try {
    const stream = decodeSegment(segment);
    return need === 'element' ? stream.elements.length > 0 : stream.elements.some((e) => isPrimaryKey(e.ai));
  } catch (e) {
    if (!(e instanceof IdnError)) throw e;
    const got = e.detail ?? {};
    return need === 'key' ? got.keyDecoded === true : Number(got.elementsDecoded) > 0;
  }
}

/** The query of the uncompressed URI, as the answer path reads queries (linkType, context, pass-through). */
function queryOf(d: DecompressedLink): Record<string, string | string[]> {
  const q: Record<string, string | string[]> = {};
  const add = (k: string, v: string) => {
    const had = q[k];
    q[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  };
  d.attributes.forEach((e) => add(e.ai, e.value));
  d.others.forEach((o) => add(o.key, o.value));
  return q;
}

const pathTail = (d: DecompressedLink): string => d.uncompressed.slice(d.stem.length + 1).replace(/\?.*$/, '');

async function answerCompressed(
  app: FastifyInstance,
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  tail: string,
): Promise<FastifyReply> {
  const q = request.url.indexOf('?');
  const d = decompressDigitalLink(`${publicBase(app, ctx.passport)}/${tail}${q < 0 ? '' : request.url.slice(q)}`);
  SAME_AS.set(request, d.uncompressed);
  // The answer path reads request.query: it now holds the uncompressed URI's query, so linkType
  // inside the segment negotiates and GS1 attributes pass on to the redirect as they would uncompressed.
  request.query = queryOf(d);
  // The router's own choice for the uncompressed path: a GS1 primary key is the GS1 route, anything else the QR route.
  if (PRIMARY_KEY_AIS.includes(d.key.ai)) return answerDigitalLinkPath(app, ctx, request, reply, pathTail(d));
  return answerQrPath(app, ctx, request, reply, pathTail(d));
}

function appendSameAs(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const uri = SAME_AS.get(request);
  if (uri === undefined) return Promise.resolve(payload);
  const link = `<${uri}>; rel="owl:sameAs"`;
  const had = reply.getHeader('link');
  const before = had === undefined ? [] : Array.isArray(had) ? had : [String(had)];
  reply.header('link', [...before, link].join(', '));
  return Promise.resolve(payload);
}

export function registerGs1Compressed(app: FastifyInstance, ctx: AppContext): void {
  const homed = new Set(ctx.homed.prefixes.map((p) => p.toLowerCase()));
  const opts = {
    schema: { summary: 'Compressed GS1 Digital Link resolution (or a one-segment QR path)', tags: ['resolution'] },
    errorHandler: scanErrorHandler(ctx),
    onSend: appendSameAs,
  };
  const full = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = rawPathTail(request.url, 1);
    const segment = raw.replace(/\/$/, '');
    if (homed.has(segment.toLowerCase()) || !readsAsCompressed(segment, 'key'))
      return answerQrPath(app, ctx, request, reply, raw);
    return answerCompressed(app, ctx, request, reply, raw);
  };
  const partial = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = rawPathTail(request.url, 1);
    const segment = raw.replace(/\/$/, '').split('/')[2] ?? '';
    // Digits alone are an AI left dangling (`/01/{gtin}/21`): the GS1 route's own error, unless they decode.
    if (/^\d+$/.test(segment) && !readsAsCompressed(segment, 'element'))
      return answerDigitalLinkPath(app, ctx, request, reply, raw);
    return answerCompressed(app, ctx, request, reply, raw);
  };
  app.get('/:segment', opts, full);
  app.get('/:segment/', opts, full);
  app.get('/01/:gtin/:segment', opts, partial);
  app.get('/01/:gtin/:segment/', opts, partial);
}
