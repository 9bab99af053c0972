import { type Agent, request } from 'node:http';

/**
 * One PUT of a URL record over a keep-alive agent, for tests that kill the node mid-write: never
 * rejects (a connection the kill cut answers status 0) and never throws on a truncated body.
 */
export function rawPut(
  agent: Agent,
  port: number,
  suffix: string,
  auth: string,
): Promise<{ status: number; version?: number }> {
  const body = JSON.stringify({ values: [{ index: 1, type: 'URL', data: `https://passport.example/${suffix}` }] });
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        port,
        host: '127.0.0.1',
        method: 'PUT',
        path: `/api/handles/88.100.5/${suffix}`,
        headers: { authorization: auth, 'content-type': 'application/json' },
      },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, version: versionOf(data) }));
        res.on('error', () => resolve({ status: 0 }));
      },
    );
    req.on('error', () => resolve({ status: 0 }));
    req.end(body);
  });
}

function versionOf(body: string): number | undefined {
  try {
    return (JSON.parse(body) as { version?: number }).version;
  } catch {
    return undefined;
  }
}
