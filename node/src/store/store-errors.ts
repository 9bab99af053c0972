import { IdnError, isIdnError } from '../errors/idn-error.ts';

/**
 * Coded errors pass through; anything else (map full, disk full, EIO, a closed environment) becomes
 * IDN_ERR_STORE_UNAVAILABLE so callers answer 503 instead of crashing, with the cause kept for logs.
 */
export function toStoreError(e: unknown): IdnError {
  if (isIdnError(e)) return e;
  const cause = e instanceof Error ? e : new Error(String(e));
  const code = (cause as { code?: unknown }).code;
  const err = new IdnError('IDN_ERR_STORE_UNAVAILABLE', undefined, {
    cause: cause.message,
    ...(code === undefined ? {} : { code }),
  });
  err.cause = cause;
  return err;
}

/** Runs `fn` now and turns its result or throw into a promise, mapping errors as above. */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(toStoreError(e));
  }
}
