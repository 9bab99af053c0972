import { Agent, request } from 'node:http';

/**
 * Cross-worker invalidation latency: a PUT answered by worker A, then GETs on a connection held by
 * worker B (whose cache holds the old record) until B answers the new value. The latency is from
 * the PUT's answer to B's first fresh answer, so it includes one GET round trip (reported apart).
 */

export interface Answer {
  readonly status: number;
  /** x-idnode-worker: the slot of the worker that answered. */
  readonly worker: string | undefined;
  readonly source: string | undefined;
  readonly body: string;
}

/** One request on `agent` (a keep-alive connection: always the same worker); `auth` makes it a JSON write. */
export function send(
  port: number,
  agent: Agent,
  method: string,
  path: string,
  auth?: string,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> =
      auth === undefined ? {} : { authorization: auth, 'content-type': 'application/json' };
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          worker: res.headers['x-idnode-worker'] as string | undefined,
          source: res.headers['x-idnode-source'] as string | undefined,
          body: text,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const connection = (): Agent => new Agent({ keepAlive: true, maxSockets: 1 });

/** Two connections answered by different workers (the cluster hands new connections round-robin). */
export async function twoWorkers(port: number): Promise<[Agent, Agent]> {
  const a = connection();
  const first = (await send(port, a, 'GET', '/livez')).worker;
  // The workers after slot 0 start once it listens: until then every connection reaches slot 0.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const b = connection();
    if ((await send(port, b, 'GET', '/livez')).worker !== first) return [a, b];
    b.destroy();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('every new connection reached the same worker');
}

export interface InvalidationReport {
  readonly rounds: number;
  readonly median_ms: number;
  readonly p90_ms: number;
  readonly worst_ms: number;
  /** A plain GET round trip on the same connection: the resolution of the figures above. */
  readonly get_round_trip_median_ms: number;
  /** Rounds whose first GET after the PUT was already fresh. */
  readonly fresh_at_first_read: number;
}

const pct = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

export async function measureInvalidation(
  port: number,
  handle: string,
  auth: string,
  rounds: number,
): Promise<InvalidationReport> {
  const [a, b] = await twoWorkers(port);
  const path = `/api/handles/${handle}?index=1`;
  const lat: number[] = [];
  const rtt: number[] = [];
  let freshFirst = 0;
  try {
    for (let i = 0; i < rounds; i++) {
      const value = `https://example.org/inv/${i}`;
      // B holds the current record in its cache (the second GET is a hit).
      await send(port, b, 'GET', path);
      const t = performance.now();
      await send(port, b, 'GET', path);
      rtt.push(performance.now() - t);
      const body = JSON.stringify({ values: [{ index: 1, type: 'URL', data: { format: 'string', value } }] });
      const put = await send(port, a, 'PUT', `/api/handles/${handle}`, auth, body);
      if (put.status >= 300) throw new Error(`PUT ${put.status}: ${put.body}`);
      const acked = performance.now();
      for (let tries = 0; ; tries++) {
        const got = await send(port, b, 'GET', path);
        if (got.body.includes(value)) {
          lat.push(performance.now() - acked);
          if (tries === 0) freshFirst++;
          break;
        }
        if (performance.now() - acked > 5_000) throw new Error('worker B never saw the write');
      }
    }
  } finally {
    a.destroy();
    b.destroy();
  }
  const sorted = [...lat].sort((x, y) => x - y);
  return {
    rounds,
    median_ms: round3(pct(sorted, 0.5)),
    p90_ms: round3(pct(sorted, 0.9)),
    worst_ms: round3(sorted.at(-1) ?? NaN),
    get_round_trip_median_ms: round3(
      pct(
        [...rtt].sort((x, y) => x - y),
        0.5,
      ),
    ),
    fresh_at_first_read: freshFirst,
  };
}
