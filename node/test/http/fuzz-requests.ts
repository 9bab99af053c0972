import fc from 'fast-check';
import { ERRORS, type ErrorCode } from '../../src/errors/codes.ts';
import { accept, authorization, body, contentType, etagHeader, identifier, junk, query } from './fuzz-arbitraries.ts';
import { isHtml, jsonOf, type RawRequest, type RawResponse } from './raw-http.ts';

/** Requests built from the fuzz generators, and what makes an answer wrong: shared by both HTTP fuzzers. */

/** The targets of the bounded fuzzer: the handles API, the QR route and a few fixed pages. */
export const handleTargets = fc.oneof(
  { weight: 6, arbitrary: identifier.map((id) => `/api/handles/${id}`) },
  { weight: 5, arbitrary: identifier.map((id) => `/${id}`) },
  { weight: 1, arbitrary: fc.constantFrom('/api/handles', '/api/tokens', '/', '/livez', '/readyz', '/docs/json') },
  { weight: 1, arbitrary: junk.map((j) => `/docs/${j}`) },
);
export const method = fc.constantFrom(
  'GET',
  'GET',
  'GET',
  'GET',
  'HEAD',
  'PUT',
  'PUT',
  'PUT',
  'DELETE',
  'DELETE',
  'POST',
  'PATCH',
  'OPTIONS',
);

/** Generated parts of one batch; each request mixes them differently. */
export interface Parts {
  readonly methods: readonly string[];
  readonly targets: readonly string[];
  readonly queries: readonly string[];
  readonly auths: readonly (string | undefined)[];
  readonly accepts: readonly (string | undefined)[];
  readonly etags: readonly (string | undefined)[];
  readonly contentTypes: readonly string[];
  readonly bodies: readonly (string | undefined)[];
  readonly draws?: readonly RouteDraw[];
}

export const some = <T>(arb: fc.Arbitrary<T>, n: number) => fc.array(arb, { minLength: n, maxLength: n });

/** Picks part i of a list with its own stride, so that neighbouring requests share few parts. */
export const pick = <T>(list: readonly T[], i: number, stride: number): T => list[(i * stride) % list.length]!;

/** A generated request; `route` names the route it was drawn for, when it was. */
export interface FuzzRequest extends RawRequest {
  readonly route?: string;
}

export function build(p: Parts, i: number): FuzzRequest {
  const m = p.methods[i]!;
  const headers: Record<string, string> = {};
  const auth = pick(p.auths, i, 3);
  const accept = pick(p.accepts, i, 5);
  const etag = pick(p.etags, i, 7);
  if (auth !== undefined) headers.authorization = auth;
  if (accept !== undefined) headers.accept = accept;
  if (etag !== undefined) headers[m === 'GET' ? 'if-none-match' : 'if-match'] = etag;
  const own = p.draws?.[i];
  const body = m === 'GET' || m === 'HEAD' ? undefined : (own?.body ?? pick(p.bodies, i, 11));
  if (body !== undefined) headers['content-type'] = own?.contentType ?? pick(p.contentTypes, i, 13);
  return {
    method: m,
    path: `${p.targets[i]!}${pick(p.queries, i, 17)}`,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(own?.route === undefined ? {} : { route: own.route }),
  };
}

/** One request drawn for a known route (the long fuzzer): its method, target and, for writes, a body of its own. */
export interface RouteDraw {
  /** The route's `METHOD template`, carried onto the request so the fuzzer can count per route. */
  readonly route?: string;
  readonly method: string;
  readonly target: string;
  readonly body?: string;
  readonly contentType?: string;
}

export interface BatchOptions {
  readonly batch: number;
  /** Valid Authorization headers of the node under test, mixed among the junk ones. */
  readonly auths: readonly string[];
  readonly targets?: fc.Arbitrary<string>;
  readonly methods?: fc.Arbitrary<string>;
  readonly bodies?: fc.Arbitrary<string>;
  /** Instead of methods and targets: requests drawn per route (with a body of the route's own shape, or not). */
  readonly draws?: fc.Arbitrary<RouteDraw>;
}

/** `batch` requests: every method and path generated per request; headers, queries and bodies mixed from generated pools. */
export function batchArb(o: BatchOptions): fc.Arbitrary<FuzzRequest[]> {
  // Per request: a route draw, or a method and a target generated apart.
  const own: fc.Arbitrary<Pick<Parts, 'methods' | 'targets' | 'draws'>> =
    o.draws === undefined
      ? fc.record({ methods: some(o.methods ?? method, o.batch), targets: some(o.targets ?? handleTargets, o.batch) })
      : some(o.draws, o.batch).map((draws) => ({
          draws,
          methods: draws.map((d) => d.method),
          targets: draws.map((d) => d.target),
        }));
  return fc
    .record({
      own,
      queries: some(query, 64),
      auths: some(authorization(o.auths), 64),
      accepts: some(accept, 8),
      etags: some(etagHeader, 16),
      contentTypes: some(contentType, 16),
      bodies: some(fc.option(o.bodies ?? body, { freq: 4, nil: undefined }), 48),
    })
    .map(({ own, ...pools }) => Array.from({ length: o.batch }, (_, i) => build({ ...pools, ...own }, i)));
}

export const isIdnCode = (c: unknown): c is ErrorCode => typeof c === 'string' && Object.hasOwn(ERRORS, c);

/** What is wrong with this answer, or undefined (`secretHash`: the stored admin secret, which must never leak). */
export function problemWith(req: RawRequest, res: RawResponse, secretHash: string): string | undefined {
  if (res.status >= 500) return `server error ${res.status}`;
  if (res.text.includes(secretHash)) return 'the admin secret hash leaked';
  if (res.status < 400 || req.method === 'HEAD') return undefined;
  const json = jsonOf(res);
  if (json) {
    if (!isIdnCode(json.code)) return `error body without an IDN_ERR_* code: ${res.text.slice(0, 200)}`;
    const spec = ERRORS[json.code];
    if (spec.http !== res.status) return `${json.code} answered ${res.status}, the table says ${spec.http}`;
    if (json.responseCode !== spec.rc || typeof json.message !== 'string')
      return `incomplete error body ${res.text.slice(0, 200)}`;
    return undefined;
  }
  // Everything outside the handles API falls through to the QR route, which answers people with a page.
  const qr = !/^\/api\/handles(?:[/?]|$)/.test(req.path);
  if (qr && isHtml(res) && /IDN_ERR_[A-Z_]+/.test(res.text)) return undefined;
  return `error ${res.status} is neither an IDN_ERR_* JSON body nor a QR problem page: ${res.text.slice(0, 200)}`;
}
