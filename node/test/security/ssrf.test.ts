import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/**
 * Issue 13 item 10, SSRF: the node never fetches a URL taken from a record or a request. A TCP
 * listener on 127.0.0.1 counts every connection; its URL is planted in stored values and in every
 * request input that could name a place (Host, X-Forwarded-*, Origin, Referer, query, path), and
 * every read route is asked. The count must stay 0.
 */

const P = '88.100.5';
let node: TestNode;
let listener: Server;
let connections = 0;
let at = '';

beforeAll(async () => {
  listener = createServer((s) => (connections++, s.destroy()));
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const addr = listener.address();
  at = `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  node = await startTestNode([P]);
  const auth = node.adminAuth(P);
  const planted = [
    urlValue(1, `http://${at}/url-value`),
    {
      index: 2,
      type: 'LINK',
      data: { format: 'link', value: { href: `http://${at}/link`, rel: 'gs1:pip', title: 't' } },
    },
    { index: 3, type: 'HS_SITE', data: { format: 'string', value: `http://${at}/site` } },
    { index: 4, type: 'HS_SERV', data: { format: 'string', value: `http://${at}/serv` } },
    { index: 5, type: 'HS_ALIAS', data: { format: 'string', value: `http://${at}/alias` } },
    { index: 6, type: 'DESC', data: { format: 'string', value: `http://${at}/desc` } },
  ];
  // Each value on its own: one the rules refuse must not keep the others out.
  for (const [i, v] of planted.entries()) await putRecord(node.url, `${P}/S-${i}`, [v], auth);
  await putRecord(node.url, `${P}/ALL`, planted.slice(0, 2), auth);
});
afterAll(async () => {
  await node.close();
  await new Promise((r) => listener.close(r));
});

describe('SSRF', () => {
  it('no read route fetches a planted URL, whatever the request names', async () => {
    const ids = [...Array.from({ length: 6 }, (_, i) => `${P}/S-${i}`), `${P}/ALL`, `${P}/MISSING`];
    const queries = [
      '',
      '?noredirect',
      '?index=1',
      '?index=2',
      '?linkType=all',
      `?url=http://${at}/q`,
      `?redirect=http://${at}/q`,
    ];
    const headers = {
      'x-forwarded-host': at,
      'x-forwarded-proto': 'http',
      forwarded: `host=${at}`,
      origin: `http://${at}`,
      referer: `http://${at}/r`,
    };
    for (const id of ids) {
      for (const q of queries) {
        for (const path of [`/${id}${q}`, `/api/handles/${id}${q}`, `/api/qr/${id}`]) {
          for (const accept of ['text/html', 'application/json', 'application/linkset+json']) {
            const r = await fetch(`${node.url}${path}`, { headers: { ...headers, accept }, redirect: 'manual' });
            await r.arrayBuffer();
            expect(r.status, path).toBeLessThan(500);
          }
        }
      }
    }
    for (const path of [
      '/.well-known/gs1resolver',
      '/.well-known/idnode-resolver',
      `/01/09506000134352?linkType=all`,
      `/http://${at}/x`,
    ]) {
      await (await fetch(`${node.url}${path}`, { headers, redirect: 'manual' })).arrayBuffer();
    }
    // Give a stray background fetch the time to connect.
    await new Promise((r) => setTimeout(r, 200));
    expect(connections).toBe(0);
  });
});
