/**
 * The request an upstream node signs its relayed answers for (ADR 0011 "Relayed answers"): the
 * JSON API read of the handle with no query, each path segment percent-encoded as
 * encodeURIComponent does. A node that relays the answer writes the upstream's signature only for
 * exactly this request (and byte-identical JSON), so the signed `@path`/`@query` are true.
 */
export const canonicalAnswerPath = (handle: string): string =>
  `/api/handles/${handle.split('/').map(encodeURIComponent).join('/')}`;

export const CANONICAL_CONTENT_TYPE = 'application/json; charset=utf-8';
