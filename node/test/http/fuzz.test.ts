import { Agent } from 'node:http';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sized } from '../helpers/scale.ts';
import { basicAuth, putRecord, TEST_SECRET, urlValue } from '../helpers/test-node.ts';
import { batchArb, problemWith } from './fuzz-requests.ts';
import { jsonOf, rawRequest, type RawRequest } from './raw-http.ts';

/**
 * Property: whatever arrives over HTTP (paths with raw bytes and broken %-escapes, unicode, long
 * inputs, random queries, arbitrary JSON bodies and Authorization headers), the node never answers
 * 5xx, every error carries an IDN_ERR_* code with the table's status, secrets never leak, and the
 * node still answers afterwards.
 */

const BATCH = 200;
// BATCH * RUNS = 20,000 requests (a fresh random seed every run); 100,000 under IDNODE_TEST_FULL=1.
const RUNS = Number(process.env.FUZZ_RUNS ?? sized(100, 500));
const CONCURRENCY = 16;

let server: Worker;
let serverError: Error | undefined;
let base = '';
let agent: Agent;
let bearer = '';
let secretHash = '';
let sent = 0;
const adminAuth = (prefix: string) => basicAuth(`300:${prefix}/ADMIN`, TEST_SECRET);

async function send(req: RawRequest): Promise<void> {
  const res = await rawRequest(base, { ...req, agent }).catch((e: Error) => {
    throw new Error(`${req.method} ${req.path.slice(0, 300)} ${JSON.stringify(req.headers)} -> ${e.message}`);
  });
  sent++;
  const problem = problemWith(req, res, secretHash);
  if (problem) throw new Error(`${req.method} ${req.path.slice(0, 300)} ${JSON.stringify(req.headers)} -> ${problem}`);
}

/** Sends the batch with CONCURRENCY requests in flight. */
async function runAll(reqs: readonly RawRequest[]): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < reqs.length) await send(reqs[next++]!);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

// ---------- the run ----------

async function seed(): Promise<void> {
  const admin = adminAuth('88.100.5');
  const desc = (index: number, data: string, access = 'public') => ({ index, type: 'DESC', data, access });
  await putRecord(
    base,
    '88.100.5/FUZZ-1',
    [urlValue(1, 'https://example.com/f1'), desc(2, 'private', 'authority')],
    admin,
  );
  await putRecord(base, '88.100.5/Bat-1', [desc(1, '<b>no url</b>')], admin);
  const token = await fetch(`${base}/api/tokens`, {
    method: 'POST',
    headers: { authorization: admin, 'content-type': 'application/json' },
    body: '{}',
  });
  bearer = ((await token.json()) as { token: string }).token;
}

beforeAll(async () => {
  // The node runs in its own thread (a real node on real LMDB): generating and serving use both cores.
  server = new Worker(new URL('./fuzz-server.ts', import.meta.url));
  server.on('error', (e: Error) => {
    serverError = e;
  });
  const [ready] = (await once(server, 'message')) as [{ url: string; secretHash: string }];
  base = ready.url;
  secretHash = ready.secretHash;
  agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  await seed();
});
afterAll(async () => {
  agent.destroy();
  server.postMessage('close');
  await once(server, 'exit');
});

describe('HTTP fuzzing', () => {
  it(`survives ${BATCH * RUNS} generated requests: no 5xx, every error typed`, { timeout: 300_000 }, async () => {
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    await fc.assert(
      fc.asyncProperty(
        batchArb({ batch: BATCH, auths: [adminAuth('88.100.5'), adminAuth('88.100.6'), `Bearer ${bearer}`] }),
        runAll,
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    console.log(
      `fuzz: ${sent} requests in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)}/s, ` +
        `${cpuSeconds.toFixed(1)} s CPU in client and server threads), 0 with 5xx`,
    );
    expect(sent).toBeGreaterThanOrEqual(BATCH * RUNS);
    expect(secretHash.length).toBeGreaterThan(20);
    expect(serverError).toBeUndefined();
  });

  it('is still answering afterwards, from its store', async () => {
    expect((await rawRequest(base, { path: '/livez' })).status).toBe(200);
    expect((await rawRequest(base, { path: '/readyz' })).status).toBe(200);
    // The fuzzer holds real admin credentials, so it may have deleted the record: 404 is an answer too.
    const admin = await rawRequest(base, { path: '/api/handles/88.100.5/ADMIN' });
    expect(jsonOf(admin)?.handle).toBe('88.100.5/ADMIN');
    expect([200, 404]).toContain(admin.status);
  });
});
