import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer on its way back, as the proxy got it from the node. */
export interface Relayed {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Changes an answer (or passes it on): `path` is the request target the client asked. */
export type Tamper = (path: string, answer: Relayed) => Relayed;

export interface TamperProxy {
  readonly url: string;
  close(): Promise<void>;
}

// Framing is the proxy's own: it sends the (possibly changed) body with its own length.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

function forwardable(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (!HOP.has(k) && v !== undefined) out[k] = String(v);
  return out;
}

/**
 * A man in the middle on 127.0.0.1: a real HTTP proxy in front of `target` that hands every
 * answer to `tamper` before the client gets it (GET only: what `idnode verify` sends).
 */
export async function startTamperProxy(target: string, tamper: Tamper): Promise<TamperProxy> {
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    fetch(`${target}${path}`, { headers: forwardable(req.headers), redirect: 'manual' })
      .then(async (r) => {
        const headers: Record<string, string> = {};
        r.headers.forEach((v, k) => {
          if (!HOP.has(k)) headers[k] = v;
        });
        const out = tamper(path, { status: r.status, headers, body: Buffer.from(await r.arrayBuffer()) });
        res.writeHead(out.status, { ...out.headers, 'content-length': String(out.body.length) }).end(out.body);
      })
      .catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
