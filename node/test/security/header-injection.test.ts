import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/**
 * Issue 13 item 10, header injection: CR/LF in any value that becomes a header (Location, Link,
 * Content-Disposition, ...), whether it arrives in the request (path, query forwarded to a
 * redirect, Accept) or was stored in a record (URL and LINK values), never splits a header.
 * Read over a raw socket, so the test sees the bytes the node sent, not a client's parse of them.
 */

const P = '88.100.5';
let node: TestNode;
const INJECT = 'X-Injected';
const ENCODED = [
  '%0d%0aX-Injected:%201',
  '%0aX-Injected:%201',
  '%0dX-Injected:%201',
  '%E5%98%8A%E5%98%8DX-Injected:%201',
  '%c4%8d%c4%8aX-Injected:%201',
];
const RAW = ['\r\nX-Injected: 1', '\nX-Injected: 1', '\rX-Injected: 1', '\u560a\u560dX-Injected: 1'];

/** The response head (status line and headers) exactly as sent. */
function head(path: string, headers: Record<string, string> = {}): Promise<string> {
  const { port } = new URL(node.url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: Number(port) }, () => {
      const extra = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`);
    });
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString('latin1')));
    s.on('error', reject);
    s.on('close', () => resolve(got.split('\r\n\r\n')[0] ?? ''));
  });
}

function assertNoInjection(h: string, what: string): void {
  const names = h
    .split('\r\n')
    .slice(1)
    .map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
  expect(names, `${what}\n${h}`).not.toContain(INJECT.toLowerCase());
  expect(h, what).toMatch(/^HTTP\/1\.1 [1-4]\d\d /);
}

beforeAll(async () => {
  node = await startTestNode([P]);
  const auth = node.adminAuth(P);
  expect((await putRecord(node.url, `${P}/H`, [urlValue(1, 'https://good.example/p')], auth)).status).toBe(201);
  for (const [i, raw] of RAW.entries()) {
    await putRecord(node.url, `${P}/U-${i}`, [urlValue(1, `https://good.example/p${raw}`)], auth);
    await putRecord(
      node.url,
      `${P}/L-${i}`,
      [
        {
          index: 1,
          type: 'LINK',
          data: {
            format: 'link',
            value: { href: `https://good.example/l${raw}`, rel: `gs1:pip${raw}`, title: `t${raw}`, lang: `en${raw}` },
          },
        },
      ],
      auth,
    );
  }
});
afterAll(() => node.close());

describe('header injection', () => {
  it.each(ENCODED)('request-borne %s: path, forwarded query, GS1 path, record page, API', async (p) => {
    const paths = [
      `/${P}/H?x=${p}`,
      `/${P}/H${p}`,
      `/${P}/${p}`,
      `/01/09506000134352?q=${p}`,
      `/01/09506000134352${p}`,
      `/${P}/H?index=1&x=${p}`,
      `/${P}/H?noredirect&x=${p}`,
      `/api/handles/${P}/H${p}`,
      `/api/qr/${P}/H${p}`,
      `/api/handles/${P}/H?type=${p}`,
      `/${p}`,
    ];
    for (const path of paths) assertNoInjection(await head(path), path);
  });

  it.each(RAW.map((r, i) => [JSON.stringify(r), i] as const))('stored %s in URL and LINK values', async (_r, i) => {
    for (const id of [`U-${i}`, `L-${i}`]) {
      for (const q of ['', '?index=1', '?linkType=all', '?linkType=gs1:pip', '?noredirect']) {
        assertNoInjection(await head(`/${P}/${id}${q}`), `${id}${q}`);
        assertNoInjection(await head(`/${P}/${id}${q}`, { accept: 'application/linkset+json' }), `${id}${q} linkset`);
      }
    }
  });

  it('the redirect the test relies on is sent (Location present)', async () => {
    expect(await head(`/${P}/H`)).toMatch(/\r\nlocation: https:\/\/good\.example\/p/i);
  });
});
