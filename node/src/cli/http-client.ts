import { CliError, EXIT, exitForHttp } from './exit-codes.ts';
import { basicAuth, type Credentials } from './context.ts';

/** Requests to one node; every failure becomes a CliError carrying the right exit code. */
export interface NodeClient {
  readonly url: string;
  request(method: string, path: string, opts?: RequestOptions): Promise<Response>;
  /** JSON in, JSON out; a non-2xx answer throws with the node's IDN_ERR code. */
  json<T>(method: string, path: string, opts?: RequestOptions): Promise<T>;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly raw?: string | Buffer;
  readonly headers?: Record<string, string>;
  readonly auth?: Credentials;
  readonly timeoutMs?: number;
}

interface NodeErrorBody {
  readonly responseCode?: number;
  readonly code?: string;
  readonly message?: string;
}

/** A node's error answer (or a proxy's non-JSON one) as a CliError. */
export async function errorFromResponse(res: Response): Promise<CliError> {
  const text = await res.text();
  let body: NodeErrorBody = {};
  try {
    body = JSON.parse(text) as NodeErrorBody;
  } catch {
    /* not JSON: keep the status line */
  }
  const code = body.code ?? `HTTP_${res.status}`;
  const message = body.message ?? `${res.status} ${res.statusText}`;
  return new CliError(exitForHttp(res.status, body.responseCode), code, message, body);
}

function unreachable(url: string, e: unknown): CliError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (e as Error).message;
  if ((e as Error).name === 'TimeoutError')
    return new CliError(EXIT.UNAVAILABLE, 'CLI_ERR_TIMEOUT', `${url} did not answer in time.`);
  return new CliError(EXIT.UNAVAILABLE, 'CLI_ERR_UNREACHABLE', `cannot reach the node at ${url} (${why}).`);
}

export function createClient(url: string): NodeClient {
  async function request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.auth !== undefined) headers.authorization = basicAuth(opts.auth);
    let body = opts.raw;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    try {
      return await fetch(`${url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body, duplex: 'half' }),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    } catch (e) {
      throw unreachable(url, e);
    }
  }
  return {
    url,
    request,
    async json<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
      const res = await request(method, path, opts);
      if (!res.ok) throw await errorFromResponse(res);
      return (await res.json()) as T;
    },
  };
}

/** `88.100.5/BAT 1` -> `88.100.5/BAT%201`: the path form the node decodes exactly once. */
export const handlePath = (id: string): string => id.split('/').map(encodeURIComponent).join('/');
