import { request, type Agent } from 'node:http';

/** One HTTP exchange over a real socket, with the path sent byte for byte as given (no URL normalisation). */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly agent?: Agent;
}

export function rawRequest(base: string, req: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  // node:http sends a DELETE or OPTIONS body without any length unless told, so always say it.
  const headers =
    req.body === undefined ? req.headers : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) };
  return new Promise((resolve, reject) => {
    const r = request(
      { host: hostname, port, method: req.method ?? 'GET', path: req.path, headers, agent: req.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** The response body as JSON, or undefined when it is not JSON. */
export function jsonOf(res: RawResponse): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(res.text);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const isHtml = (res: RawResponse): boolean => String(res.headers['content-type'] ?? '').startsWith('text/html');
