import { Agent } from 'node:http';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, type ErrorCode } from '../../src/errors/codes.ts';
import { sized } from '../helpers/scale.ts';
import { basicAuth, putRecord, TEST_SECRET, urlValue } from '../helpers/test-node.ts';
import { isHtml, jsonOf, rawRequest, type RawRequest, type RawResponse } from './raw-http.ts';

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

// ---------- paths ----------

const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF');
const escape = fc.oneof(
  fc.tuple(hexDigit, hexDigit).map(([a, b]) => `%${a}${b}`),
  fc.constantFrom('%', '%2', '%zz', '%g0', '%%', '%25', '%2525', '%252F', '%C3', '%E7%94', '%ED%A0%80', '%C0%AF'),
  fc.constantFrom('%00', '%0A', '%20', '%2F', '%2E', '%2E%2E', '%3F', '%23', '%E2%80%AE', '%EF%BB%BF', '%EF%BC%98'),
);
// Characters a request target may carry unencoded, plus "?" and "#" that end the path early.
const plain = fc.constantFrom(..."aZ09-._~/!$&'()*+,;=:@?#".split(''));
const encodeUtf8 = (s: string): string =>
  [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const unicode = fc.string({ unit: 'grapheme', maxLength: 6 }).map(encodeUtf8);
const rawByte = fc.integer({ min: 0x21, max: 0xff }).map((b) => String.fromCharCode(b));
// (fc.stringMatching and fc.webUrl are avoided: they cost more per sample than a request does.)
const word = (chars: string, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength });
const ALNUM = 'ABCXYZabcxyz0123456789-';
const piece = fc.oneof(
  { weight: 60, arbitrary: word(ALNUM, 12) },
  { weight: 40, arbitrary: plain },
  { weight: 30, arbitrary: escape },
  { weight: 20, arbitrary: unicode },
  // Raw bytes over 0x7E make the HTTP parser refuse the request and close the connection: keep them rare.
  { weight: 1, arbitrary: rawByte },
);
const junk = fc.array(piece, { maxLength: 16 }).map((p) => p.join(''));
const long = fc
  .tuple(fc.integer({ min: 200, max: 6000 }), fc.constantFrom('A', '%41', '/', '.', '%E7%94%B5', '9'))
  .map(([n, s]) => s.repeat(Math.ceil(n / s.length)));
const prefix = fc.constantFrom('88.100.5', '88.100.6', '0.NA', '88', '99.1', '88.100.5.1', '');
const suffix = fc.oneof(fc.constantFrom('FUZZ-1', 'fuzz-2', 'ADMIN', 'NO-SUCH', 'Bat-1', '88.100.5'), junk);
const identifier = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(prefix, suffix).map(([p, s]) => `${p}/${s}`) },
  { weight: 3, arbitrary: junk },
  { weight: 1, arbitrary: long },
);

// ---------- queries ----------

const queryKey = fc.oneof(
  fc.constantFrom('index', 'type', 'publicOnly', 'auth', 'overwrite', 'noredirect', 'prefix', 'pageSize', 'cursor'),
  junk,
);
const queryValue = fc.oneof(
  fc.integer({ min: -3, max: 400 }).map(String),
  fc.constantFrom('', 'true', 'false', '1', '0', 'URL', 'URL.', 'HS_ADMIN', '88.100.5', '2147483648', '1e3', 'abc'),
  junk,
);
const query = fc.option(
  fc
    .array(fc.tuple(queryKey, fc.option(queryValue, { nil: undefined })), { maxLength: 5 })
    .map((pairs) => `?${pairs.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&')}`),
  { nil: '' },
);

// ---------- headers ----------

const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** Most Authorization headers are junk; a few are real; very few cost a key check (scrypt, ~50 ms). */
const authorization = (): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 6000, arbitrary: fc.constant(undefined) },
    { weight: 1000, arbitrary: fc.constantFrom(adminAuth('88.100.5'), adminAuth('88.100.6'), `Bearer ${bearer}`) },
    { weight: 800, arbitrary: headerText },
    { weight: 600, arbitrary: headerText.map((s) => `Basic ${b64(s)}`) },
    { weight: 600, arbitrary: headerText.map((s) => `Bearer ${s}`) },
    {
      weight: 400,
      arbitrary: fc.constantFrom('Basic', 'Basic ', 'Bearer', 'Basic ===', 'Negotiate abc', 'Basic OjA='),
    },
    { weight: 300, arbitrary: fc.tuple(junk, headerText).map(([u, p]) => `Basic ${b64(`${u}:${p}`)}`) },
    { weight: 2, arbitrary: headerText.map((s) => `Basic ${b64(`300:88.100.5/ADMIN:${s}`)}`) },
  );
const accept = fc.constantFrom(
  undefined,
  'application/json',
  'text/html',
  '*/*',
  'text/html,application/json',
  'image/png',
);
const etagHeader = fc.option(fc.oneof(fc.constantFrom('"1"', '"2-p"', 'W/"3"', '*', '"x"', ''), headerText), {
  nil: undefined,
});
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/xml', '') },
  { weight: 1, arbitrary: headerText },
);

// ---------- bodies ----------

const url = fc
  .tuple(
    fc.constantFrom('https://', 'http://', 'ftp://', 'javascript:', 'data:', '//', ''),
    word('abcxyz0189.-', 20),
    junk,
  )
  .map(([scheme, host, path]) => `${scheme}${host}/${path}`);
const anyText = fc.oneof(
  fc.string({ maxLength: 30 }),
  url,
  fc.constantFrom('javascript:alert(1)', 'data:,x', 'a@b.c', 'batch'),
);
const data = fc.oneof(
  anyText,
  fc.record({
    format: fc.constantFrom('string', 'admin', 'redacted', 'json', 'hex', ''),
    value: fc.oneof(anyText, fc.jsonValue({ maxDepth: 2 })),
  }),
  fc.record({
    format: fc.constant('admin'),
    value: fc.record({
      handle: fc.oneof(fc.constantFrom('88.100.5/ADMIN', '88.100.6/ADMIN'), junk),
      index: fc.integer({ min: -1, max: 400 }),
      permissions: fc.constantFrom('111111111111', '000000000000', '0101', 'x'),
    }),
  }),
);
const value = fc.record(
  {
    index: fc.oneof(fc.integer({ min: -2, max: 420 }), fc.constantFrom(1, 2, 100, 300, 2_147_483_648, 1.5)),
    type: fc.oneof(
      fc.constantFrom('URL', 'EMAIL', 'KIND', 'HS_ADMIN', 'hs_admin', 'HS_SECKEY', 'DESC', 'URL.ALT', ''),
      junk,
    ),
    data,
    ttl: fc.integer({ min: -1, max: 100_000 }),
    access: fc.constantFrom('public', 'legitimate-interest', 'authority', 'everyone'),
  },
  { requiredKeys: ['index', 'type', 'data'] },
);
const OVERSIZED = JSON.stringify({ values: [{ index: 1, type: 'DESC', data: 'x'.repeat(300 * 1024) }] });
const body = fc.oneof(
  { weight: 100, arbitrary: fc.array(value, { maxLength: 5 }).map((values) => JSON.stringify({ values })) },
  { weight: 60, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 40, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant(OVERSIZED) },
);

// ---------- requests ----------

const target = fc.oneof(
  { weight: 6, arbitrary: identifier.map((id) => `/api/handles/${id}`) },
  { weight: 5, arbitrary: identifier.map((id) => `/${id}`) },
  { weight: 1, arbitrary: fc.constantFrom('/api/handles', '/api/tokens', '/', '/livez', '/readyz', '/docs/json') },
  { weight: 1, arbitrary: junk.map((j) => `/docs/${j}`) },
);
const method = fc.constantFrom(
  'GET',
  'GET',
  'GET',
  'GET',
  'HEAD',
  'PUT',
  'PUT',
  'PUT',
  'DELETE',
  'DELETE',
  'POST',
  'PATCH',
  'OPTIONS',
);

/** Generated parts of one batch; each request mixes them differently. */
interface Parts {
  readonly methods: readonly string[];
  readonly targets: readonly string[];
  readonly queries: readonly string[];
  readonly auths: readonly (string | undefined)[];
  readonly accepts: readonly (string | undefined)[];
  readonly etags: readonly (string | undefined)[];
  readonly contentTypes: readonly string[];
  readonly bodies: readonly (string | undefined)[];
}

const some = <T>(arb: fc.Arbitrary<T>, n: number) => fc.array(arb, { minLength: n, maxLength: n });

/** Picks part i of a list with its own stride, so that neighbouring requests share few parts. */
const pick = <T>(list: readonly T[], i: number, stride: number): T => list[(i * stride) % list.length]!;

function build(p: Parts, i: number): RawRequest {
  const m = p.methods[i]!;
  const headers: Record<string, string> = {};
  const auth = pick(p.auths, i, 3);
  const accept = pick(p.accepts, i, 5);
  const etag = pick(p.etags, i, 7);
  if (auth !== undefined) headers.authorization = auth;
  if (accept !== undefined) headers.accept = accept;
  if (etag !== undefined) headers[m === 'GET' ? 'if-none-match' : 'if-match'] = etag;
  const body = m === 'GET' || m === 'HEAD' ? undefined : pick(p.bodies, i, 11);
  if (body !== undefined) headers['content-type'] = pick(p.contentTypes, i, 13);
  return {
    method: m,
    path: `${p.targets[i]!}${pick(p.queries, i, 17)}`,
    headers,
    ...(body === undefined ? {} : { body }),
  };
}

/** BATCH requests: every method and path generated per request; headers, queries and bodies mixed from generated pools. */
function batchArb(): fc.Arbitrary<RawRequest[]> {
  return fc
    .record({
      methods: some(method, BATCH),
      targets: some(target, BATCH),
      queries: some(query, 64),
      auths: some(authorization(), 64),
      accepts: some(accept, 8),
      etags: some(etagHeader, 16),
      contentTypes: some(contentType, 16),
      bodies: some(fc.option(body, { freq: 4, nil: undefined }), 48),
    })
    .map((parts) => Array.from({ length: BATCH }, (_, i) => build(parts, i)));
}

// ---------- checks ----------

const isIdnCode = (c: unknown): c is ErrorCode => typeof c === 'string' && Object.hasOwn(ERRORS, c);

/** What is wrong with this answer, or undefined. */
function problemWith(req: RawRequest, res: RawResponse): string | undefined {
  if (res.status >= 500) return `server error ${res.status}`;
  if (res.text.includes(secretHash)) return 'the admin secret hash leaked';
  if (res.status < 400 || req.method === 'HEAD') return undefined;
  const json = jsonOf(res);
  if (json) {
    if (!isIdnCode(json.code)) return `error body without an IDN_ERR_* code: ${res.text.slice(0, 200)}`;
    const spec = ERRORS[json.code];
    if (spec.http !== res.status) return `${json.code} answered ${res.status}, the table says ${spec.http}`;
    if (json.responseCode !== spec.rc || typeof json.message !== 'string')
      return `incomplete error body ${res.text.slice(0, 200)}`;
    return undefined;
  }
  // Everything outside the handles API falls through to the QR route, which answers people with a page.
  const qr = !/^\/api\/handles(?:[/?]|$)/.test(req.path);
  if (qr && isHtml(res) && /IDN_ERR_[A-Z_]+/.test(res.text)) return undefined;
  return `error ${res.status} is neither an IDN_ERR_* JSON body nor a QR problem page: ${res.text.slice(0, 200)}`;
}

async function send(req: RawRequest): Promise<void> {
  const res = await rawRequest(base, { ...req, agent }).catch((e: Error) => {
    throw new Error(`${req.method} ${req.path.slice(0, 300)} ${JSON.stringify(req.headers)} -> ${e.message}`);
  });
  sent++;
  const problem = problemWith(req, res);
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
    await fc.assert(fc.asyncProperty(batchArb(), runAll), { numRuns: RUNS, endOnFailure: true });
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
