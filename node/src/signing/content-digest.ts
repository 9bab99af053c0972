import { createHash } from 'node:crypto';

/**
 * RFC 9530 `Content-Digest` with sha-256 (an Active algorithm, §5): the hash of the message content
 * as sent, i.e. the bytes the node writes (no transfer coding; the node sets no Content-Encoding).
 * An empty body (a redirect) hashes the empty string.
 */
export function contentDigest(body: Buffer | string | undefined): string {
  const hash = createHash('sha256');
  if (body !== undefined) hash.update(body);
  return `sha-256=:${hash.digest('base64')}:`;
}
