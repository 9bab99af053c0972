/**
 * The identifier exactly as the client sent it in the path, still percent-encoded, so that the
 * one parser decodes it exactly once (the router's decoded copy is ignored on purpose).
 */
export function rawPathTail(url: string, prefixLength: number): string {
  const q = url.indexOf('?', prefixLength);
  return q < 0 ? url.slice(prefixLength) : url.slice(prefixLength, q);
}
