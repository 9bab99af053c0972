import { Agent } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { batchArb, problemWith, type FuzzRequest } from '../../node/test/http/fuzz-requests.ts';
import { rawRequest } from '../../node/test/http/raw-http.ts';
import { routeDraws } from './draws.ts';
import type { Route } from './routes.ts';
import { emptyTally, noteProblem, type Tally } from './tally.ts';

/**
 * One load thread of `npm run fuzz`: batches of 200 generated requests over every route, sent on
 * `concurrency` keep-alive connections (no pipelining), each answer judged by problemWith (no 5xx,
 * typed errors, no secret in any body). Posts its tally after every batch; stops at `total`.
 */

export interface HttpWorkerData {
  readonly base: string;
  readonly routes: readonly Route[];
  readonly known: Readonly<Record<string, readonly string[]>>;
  readonly auths: readonly string[];
  /** Extra headers a few requests carry (the console's session cookie with its CSRF token). */
  readonly cookieHeaders: Readonly<Record<string, string>>;
  readonly secret: string;
  readonly total: number;
  readonly concurrency: number;
  readonly seed: number;
}

const BATCH = 200;
const d = workerData as HttpWorkerData;
const agent = new Agent({ keepAlive: true, maxSockets: d.concurrency });
const arb = batchArb({ batch: BATCH, auths: d.auths, draws: routeDraws(d.routes, d.known) });
const tally: Tally = emptyTally();

async function send(req: FuzzRequest, cookie: boolean): Promise<void> {
  const headers = cookie ? { ...req.headers, ...d.cookieHeaders } : req.headers;
  const route = req.route ?? '?';
  const perRoute = (tally.perRoute[route] ??= { sent: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0 });
  try {
    const res = await rawRequest(d.base, { ...req, ...(headers ? { headers } : {}), agent });
    tally.sent++;
    perRoute.sent++;
    const cls = Math.floor(res.status / 100);
    if (cls === 2) perRoute.s2xx++;
    else if (cls === 3) perRoute.s3xx++;
    else if (cls === 4) perRoute.s4xx++;
    else if (cls >= 5) perRoute.s5xx++;
    if (res.status >= 500) tally.status5xx++;
    const problem = problemWith(req, res, d.secret);
    if (problem !== undefined) noteProblem(tally, route, problem, req, res.status);
  } catch (e) {
    // The node refused the bytes and closed the socket (a raw byte in the target): not an answer, not a 5xx.
    tally.transportErrors++;
    noteProblem(tally, route, `transport: ${(e as Error).message}`, req, 0, true);
  }
}

async function runBatch(reqs: readonly FuzzRequest[], batchNo: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < reqs.length) {
      const i = next++;
      await send(reqs[i]!, (batchNo * BATCH + i) % 29 === 0);
    }
  };
  await Promise.all(Array.from({ length: d.concurrency }, lane));
}

for (let b = 0; tally.sent + tally.transportErrors < d.total; b++) {
  const [reqs] = fc.sample(arb, { numRuns: 1, seed: d.seed + b });
  await runBatch(reqs!, b);
  parentPort?.postMessage(tally);
}
agent.destroy();
