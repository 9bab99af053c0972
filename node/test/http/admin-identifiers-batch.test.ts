import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../helpers/test-node.ts';

const PREFIX = '88.100.5';
const LINES = 20_000;
const PATH = `/api/admin/prefixes/${PREFIX}/identifiers:batch`;

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode([PREFIX]);
});
afterAll(() => node.close());

const item = (n: number) => ({
  suffix: `BAT-${String(n).padStart(6, '0')}`,
  values: [{ index: 1, type: 'URL', data: { format: 'string', value: `https://passport.example.com/b/${n}` } }],
});

/** Line n of the batch; a few are broken on purpose, each in its own way. */
function line(n: number): string {
  if (n % 2000 === 7) return '{"suffix": "not json"';
  if (n % 2000 === 11) return JSON.stringify({ ...item(n), suffix: 'has space' });
  if (n % 2000 === 13) return JSON.stringify({ values: [] });
  if (n === 15) return JSON.stringify(item(14)); // the same suffix twice
  return JSON.stringify(item(n));
}

const expectedError = (n: number): string | undefined =>
  n % 2000 === 7
    ? 'IDN_ERR_MALFORMED_BODY'
    : n % 2000 === 11
      ? 'IDN_ERR_WHITESPACE'
      : n % 2000 === 13
        ? 'IDN_ERR_INVALID_RECORD'
        : n === 15
          ? 'IDN_ERR_ALREADY_EXISTS'
          : undefined;

interface Streamed {
  status: number;
  lines: Record<string, unknown>[];
}

/** Streams the body in chunks (honouring backpressure) and reads the NDJSON response as it comes. */
function streamBatch(headers: Record<string, string>, count: number): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    const url = new URL(PATH, node.url);
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...headers } });
    const lines: Record<string, unknown>[] = [];
    req.on('response', (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        const parts = buf.split('\n');
        buf = parts.pop() ?? '';
        for (const p of parts) lines.push(JSON.parse(p) as Record<string, unknown>);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, lines }));
    });
    req.on('error', reject);
    void (async () => {
      for (let n = 0; n < count; n += 500) {
        const chunk = Array.from({ length: Math.min(500, count - n) }, (_, i) => line(n + i)).join('\n') + '\n';
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })();
  });
}

describe('registry admin API: streamed NDJSON batch registration', () => {
  it(`registers ${LINES} lines streamed, one result per line in order, bad lines failing alone`, async () => {
    const t0 = Date.now();
    const res = await streamBatch({ authorization: node.adminAuth(PREFIX), 'idempotency-key': 'batch-1' }, LINES);
    expect(res.status).toBe(200);
    expect(res.lines).toHaveLength(LINES);
    let bad = 0;
    res.lines.forEach((r, n) => {
      expect(r['position']).toBe(n);
      const code = expectedError(n);
      if (code === undefined) expect(r).toMatchObject({ ok: true, version: 1 });
      else {
        bad += 1;
        expect(r).toMatchObject({ ok: false, code });
      }
    });
    console.log(`batch: lines=${LINES} bad=${bad} seconds=${((Date.now() - t0) / 1000).toFixed(1)}`);
    expect(bad).toBe(31);
    const read = await fetch(`${node.url}/api/handles/${PREFIX}/BAT-019999`);
    expect(read.status).toBe(200);
  }, 90_000);

  it('replays a batch with the same Idempotency-Key instead of failing on "exists"', async () => {
    const res = await streamBatch({ authorization: node.adminAuth(PREFIX), 'idempotency-key': 'batch-1' }, 100);
    expect(res.lines.filter((r) => r['ok'] === true).every((r) => r['replayed'] === true)).toBe(true);
    expect(res.lines[50]).toMatchObject({ ok: true, replayed: true, handle: `${PREFIX}/BAT-000050` });
  });

  it('refuses anonymous callers, other enterprises and non-NDJSON bodies before reading the body', async () => {
    const anon = await streamBatch({}, 10);
    expect(anon.status).toBe(401);
    const other = await startTestNode(['88.100.5', '88.100.6']);
    try {
      const res = await fetch(`${other.url}${PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', authorization: other.adminAuth('88.100.6') },
        body: line(1),
      });
      expect(res.status).toBe(403);
      const json = await fetch(`${other.url}${PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: other.adminAuth('88.100.5') },
        body: '{}',
      });
      expect(json.status).toBe(415);
    } finally {
      await other.close();
    }
  });
});
