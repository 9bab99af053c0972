import { Agent } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/errors/codes.ts';
import { LIMITS } from '../../src/identifier/index.ts';
import { MALFORMED, type MalformedRow } from '../fixtures/malformed-identifiers.ts';
import { startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';
import { isHtml, jsonOf, rawRequest } from './raw-http.ts';

/**
 * Every malformed identifier, sent raw (byte for byte as in the table) to both resolution routes,
 * is answered 400 with the parser's precise code, also when the router rejects the URL first.
 */

const agent = new Agent({ keepAlive: true, maxSockets: 8 });
let node: TestNode;

beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  agent.destroy();
  await node.close();
});

const get = (path: string, accept?: string) =>
  rawRequest(node.url, { path, agent, ...(accept ? { headers: { accept } } : {}) });

/**
 * The QR route serves the landing page at "/", so the empty identifier only exists under /api/handles/;
 * and a prefix alone (`/88.100.5`) is the prefix's own record 0.NA/88.100.5 there (enterprise and park passports).
 * A literal trailing "/" is tolerated on the QR route (GS1 Resolver 1.2: a resolver SHOULD NOT fail on
 * one; no suffix ends with "/"), so `/88.100.5/` and `/88/a/` are `/88.100.5` and `/88/a` there.
 */
const TOLERATED = new Set(['88.100.5/', '88/a/']);
const qrRows = MALFORMED.filter((r) => r.input !== '' && r.input !== '88.100.5' && !TOLERATED.has(r.input));
const label = (r: MalformedRow) => `${r.code}: ${r.why}`;

describe('malformed identifiers', () => {
  it('the table is big enough to mean something', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(40);
    expect(new Set(MALFORMED.map((r) => r.code)).size).toBeGreaterThanOrEqual(20);
  });

  it.each(MALFORMED.map((r) => [label(r), r] as const))(
    'GET /api/handles/<%s> is 400 with that code',
    async (_l, row) => {
      const res = await get(`/api/handles/${row.input}`);
      const body = jsonOf(res);
      expect(body?.code, res.text.slice(0, 200)).toBe(row.code);
      expect(res.status).toBe(400);
      expect(body?.responseCode).toBe(ERRORS[row.code].rc);
    },
  );

  it.each(qrRows.map((r) => [label(r), r] as const))(
    'GET /<%s> with Accept JSON is 400 with that code',
    async (_l, row) => {
      const res = await get(`/${row.input}`, 'application/json');
      const body = jsonOf(res);
      expect(body?.code, res.text.slice(0, 200)).toBe(row.code);
      expect(res.status).toBe(400);
    },
  );

  it.each(qrRows.map((r) => [label(r), r] as const))(
    'GET /<%s> from a browser is a 400 page naming the code',
    async (_l, row) => {
      const res = await get(`/${row.input}`, 'text/html,application/xhtml+xml,*/*;q=0.8');
      expect(res.status).toBe(400);
      expect(isHtml(res), res.text.slice(0, 200)).toBe(true);
      expect(res.text).toContain(row.code);
      expect(res.headers['content-security-policy']).toBeDefined();
    },
  );
});

describe('trailing slashes on the QR route', () => {
  it.each([...TOLERATED])('/%s answers as without the slash (not the 400 the API gives)', async (input) => {
    const res = await get(`/${input}`, 'application/json');
    const bare = await get(`/${input.slice(0, -1)}`, 'application/json');
    expect(res.status).toBe(bare.status);
    expect(jsonOf(res)?.code).toBe(jsonOf(bare)?.code);
    expect(jsonOf(res)?.code).not.toBe('IDN_ERR_EMPTY_SUFFIX_SEGMENT');
  });
});

/** Every UTF-8 byte as %XX: the longest spelling of an identifier a client can send. */
const encodeAll = (s: string): string =>
  [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

describe('the longest legal identifier', () => {
  const seg = LIMITS.prefixSegmentChars;
  const prefix = `${'1'.repeat(seg)}.${'2'.repeat(LIMITS.prefixBytes - seg - 1)}`;
  // A multi-byte suffix ending in ASCII so the byte count lands exactly on the limit.
  const cjk = '\u7535'.repeat(Math.floor((LIMITS.suffixBytes - 1) / 3));
  const suffix = `${cjk}${'A'.repeat(LIMITS.suffixBytes - Buffer.byteLength(cjk))}`;
  const handle = `${prefix}/${suffix}`;
  const encoded = encodeAll(handle);
  let big: TestNode;

  beforeAll(async () => {
    big = await startTestNode([prefix]);
  });
  afterAll(() => big.close());

  it('is exactly at the limits', () => {
    expect(Buffer.byteLength(prefix)).toBe(LIMITS.prefixBytes);
    expect(Buffer.byteLength(suffix)).toBe(LIMITS.suffixBytes);
    expect(Buffer.byteLength(handle)).toBe(LIMITS.identifierBytes);
    expect(encoded.length).toBe(3 * LIMITS.identifierBytes);
  });

  it('registers, resolves and redirects when fully percent-encoded', async () => {
    const put = await rawRequest(big.url, {
      method: 'PUT',
      path: `/api/handles/${encoded}`,
      headers: { 'content-type': 'application/json', authorization: big.adminAuth(prefix) },
      body: JSON.stringify({ values: [urlValue(1, 'https://example.com/longest')] }),
    });
    expect(put.status, put.text).toBe(201);
    const read = await rawRequest(big.url, { path: `/api/handles/${encoded}` });
    expect(read.status, read.text.slice(0, 200)).toBe(200);
    expect(jsonOf(read)?.handle).toBe(handle);
    const scan = await rawRequest(big.url, { path: `/${encoded.toLowerCase()}` });
    expect(scan.status, scan.text.slice(0, 200)).toBe(302);
    expect(scan.headers.location).toBe('https://example.com/longest');
  });

  it('one byte more is IDN_ERR_IDENTIFIER_TOO_LONG, not a router 404', async () => {
    const res = await rawRequest(big.url, { path: `/api/handles/${encoded}%41` });
    expect(res.status).toBe(400);
    expect(jsonOf(res)?.code).toBe('IDN_ERR_IDENTIFIER_TOO_LONG');
  });
});

/** Bytes written straight to a socket: what a broken scanner or a hostile client can send. */
function sendRaw(base: string, requestHead: Buffer): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(requestHead));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

const requestLine = (target: Buffer | string) =>
  Buffer.concat([
    Buffer.from('GET '),
    Buffer.from(target),
    Buffer.from(' HTTP/1.1\r\nHost: idnode\r\nConnection: close\r\n\r\n'),
  ]);

describe('requests the HTTP parser refuses', () => {
  it('answers a URL over the header size limit with 431 IDN_ERR_HEADERS_TOO_LARGE', async () => {
    const answer = await sendRaw(node.url, requestLine(`/88.100.5/${'A'.repeat(20_000)}`));
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('"code":"IDN_ERR_HEADERS_TOO_LARGE"');
  });

  it('answers raw non-ASCII bytes in the request line with 400 IDN_ERR_BAD_REQUEST', async () => {
    const answer = await sendRaw(node.url, requestLine(Buffer.from([0x2f, 0x38, 0x38, 0x2f, 0xe7, 0x94, 0xb5])));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"IDN_ERR_BAD_REQUEST"');
  });

  it('keeps serving afterwards', async () => {
    expect((await get('/livez')).status).toBe(200);
  });
});
