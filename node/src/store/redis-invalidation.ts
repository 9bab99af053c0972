/*
 * The invalidation message of one Redis commit: every key it wrote and the store instance that
 * wrote it. One PUBLISH per commit (a bulk chunk of 2,000 keys was 2,000 publishes, each fanned
 * out to every subscriber), and the origin lets a subscriber skip its own commits: RecordService
 * announced those locally already, and an echo arriving late (a Cluster failover) would drop
 * cache entries filled since.
 */

export interface Invalidation {
  /** The writing store instance; undefined for a message of an older writer (one bare key). */
  readonly origin: string | undefined;
  readonly keys: readonly string[];
}

export function encodeInvalidation(origin: string, keys: readonly string[]): string {
  return JSON.stringify({ o: origin, k: keys });
}

/** Anything not in the current shape is one key, as older writers published it. */
export function decodeInvalidation(message: string): Invalidation {
  if (message.startsWith('{"o":')) {
    try {
      const parsed = JSON.parse(message) as { o?: unknown; k?: unknown };
      if (typeof parsed.o === 'string' && Array.isArray(parsed.k) && parsed.k.every((k) => typeof k === 'string')) {
        return { origin: parsed.o, keys: parsed.k };
      }
    } catch {
      // Not ours after all: fall through to the bare-key reading.
    }
  }
  return { origin: undefined, keys: [message] };
}
