/**
 * Every console action is a call to the node's ordinary API (the one scripts use). The session
 * cookie travels by itself (HttpOnly, the page never sees it); writes add the CSRF token that GET
 * /api/session gave, held in memory only.
 */

export const session = {
  /** @type {string | null} */ user: null,
  /** @type {string | null} */ csrf: null,
  /** @type {{ prefix: string, review: boolean, register: boolean, list: boolean, audit: boolean }[]} */ prefixes: [],
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? `HTTP_${status}`;
    this.body = body;
  }
}

/** Called when the node answers 401 to a signed-in console: the session ended. */
let onSignedOut = () => undefined;
export const whenSignedOut = (fn) => void (onSignedOut = fn);

const SAFE = new Set(['GET', 'HEAD']);

/**
 * @param {string} path
 * @param {{ method?: string, json?: unknown, body?: BodyInit, headers?: Record<string, string>, as?: 'json' | 'blob' | 'response' }} [opts]
 */
export async function api(path, opts = {}) {
  const method = opts.method ?? 'GET';
  // The node then sends no Basic challenge with a 401 (the browser would open its own password dialog).
  const headers = { 'x-idnode-console': '1', ...(opts.headers ?? {}) };
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  if (!SAFE.has(method) && session.csrf) headers['x-idnode-csrf'] = session.csrf;
  const res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) {
    let b;
    try {
      b = await res.json();
    } catch {
      b = undefined;
    }
    if (res.status === 401 && session.user !== null && path !== '/api/session') onSignedOut();
    throw new ApiError(res.status, b);
  }
  if (opts.as === 'response') return res;
  if (res.status === 204) return null;
  return opts.as === 'blob' ? res.blob() : res.json();
}

/** An identifier in a URL path: each segment percent-encoded once (the node decodes once). */
export const idPath = (handle) => handle.split('/').map(encodeURIComponent).join('/');

/** The API path of a record. */
export const recordPath = (handle) => `/api/handles/${idPath(handle)}`;

/** A fresh idempotency key: a retried click never applies twice. */
export const idempotencyKey = (what) => `console-${what}-${crypto.randomUUID()}`;

/** The message to show for a failed call: the node's own message names the fix. */
export const explain = (e) => (e instanceof ApiError ? `${e.message} (${e.code})` : String(e?.message ?? e));
