import { IdnError, isIdnError } from '../errors/idn-error.ts';

/** errno 28 (ENOSPC) and 122 (EDQUOT) on Linux; lmdb-js reports a failed page write with the number. */
const NO_SPACE_ERRNOS: ReadonlySet<unknown> = new Set(['ENOSPC', 'EDQUOT', 28, 122]);
/** LMDB's MDB_MAP_FULL (lmdb-js grows the map by itself, so this is a last resort). */
const MDB_MAP_FULL = -30792;

/**
 * Out of space: a full filesystem (LMDB page write, ENOSPC/EDQUOT), a full LMDB map, or a Redis that
 * refuses writes for lack of memory (OOM under maxmemory) or of disk for its AOF (MISCONF).
 */
export function isOutOfSpace(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (NO_SPACE_ERRNOS.has(code) || code === MDB_MAP_FULL) return true;
  return /No space left on device|MDB_MAP_FULL|^OOM |^MISCONF /.test(e.message);
}

/**
 * Coded errors pass through; a full disk, map or Redis memory becomes IDN_ERR_STORAGE_FULL (507:
 * the operator must free space, a retry alone will not help); anything else (EIO, a closed
 * environment, a lost connection) becomes IDN_ERR_STORE_UNAVAILABLE so callers answer 503 instead
 * of crashing. The cause is kept for logs.
 */
export function toStoreError(e: unknown): IdnError {
  if (isIdnError(e)) return e;
  const cause = e instanceof Error ? e : new Error(String(e));
  const code = (cause as { code?: unknown }).code;
  const detail = { cause: cause.message, ...(code === undefined ? {} : { code }) };
  const err = new IdnError(
    isOutOfSpace(cause) ? 'IDN_ERR_STORAGE_FULL' : 'IDN_ERR_STORE_UNAVAILABLE',
    undefined,
    detail,
  );
  err.cause = cause;
  return err;
}

/** How long to wait for lmdb-js to say why a commit failed; it says so in the same callback. */
const COMMIT_CAUSE_WAIT_MS = 1000;

/**
 * lmdb-js rejects every write of a failed transaction with "Commit failed (see commitError for
 * details)" and rejects a separate promise, `commitError`, with the real cause (ENOSPC, MAP_FULL).
 * That promise must be handled, or the process dies of an unhandled rejection when the disk fills;
 * its reason is what the error is mapped from.
 */
export async function lmdbCommitCause(e: unknown): Promise<unknown> {
  const pending = (e as { commitError?: unknown } | undefined)?.commitError;
  if (!(pending instanceof Promise)) return e;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<unknown>((resolve) => {
    timer = setTimeout(() => resolve(e), COMMIT_CAUSE_WAIT_MS);
    timer.unref();
  });
  const cause = await Promise.race([
    pending.then(
      () => e,
      (inner: unknown) => inner,
    ),
    gaveUp,
  ]);
  clearTimeout(timer);
  return cause;
}

/** The error lmdb-js rejects the writes of a failed transaction with (the cause is in `commitError`). */
const isLmdbCommitFailure = (r: unknown): boolean =>
  r instanceof Error && (r as { commitError?: unknown }).commitError instanceof Promise;

let guarded = false;

/**
 * lmdb-js (write.js, the event-turn batch) also creates a commit promise of its own that nobody
 * awaits; when a commit fails (the disk is full) it is rejected and Node would end the process on
 * the unhandled rejection, although every write of the batch got the error and was answered. This
 * listener drops exactly those; anything else keeps Node's default (the process dies) unless
 * another listener (a test runner) decides.
 */
export function guardLmdbCommitRejections(): void {
  if (guarded) return;
  guarded = true;
  process.on('unhandledRejection', (reason) => {
    if (isLmdbCommitFailure(reason)) return;
    if (process.listenerCount('unhandledRejection') === 1) throw reason;
  });
}

/** Runs `fn` now and turns its result or throw into a promise, mapping errors as above. */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(toStoreError(e));
  }
}
