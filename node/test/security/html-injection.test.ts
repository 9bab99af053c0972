import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord, startTestNode, type TestNode } from '../helpers/test-node.ts';

/**
 * Issue 13 item 10, HTML injection on the pages the node renders (record page, not-found and error
 * pages, home, GS1 pages): markup planted in every stored string field and in the identifier comes
 * back as text. No HTML parser is among the dependencies, so the check is a tag scan: every tag the
 * page contains is listed with its attributes; none may be a planted <script>/<img>/<svg>, and no
 * attribute may be an event handler (on…=) or a javascript: URL.
 */

const P = '88.100.5';
const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(2)>',
  "'><svg onload=alert(3)>",
  '</title><script>alert(4)</script>',
];
let node: TestNode;

interface Tag {
  readonly name: string;
  readonly attrs: string;
}

function tags(html: string): Tag[] {
  const out: Tag[] = [];
  for (const m of html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>/g))
    out.push({ name: m[1]!.toLowerCase(), attrs: m[2] ?? '' });
  return out;
}

function assertInert(html: string, where: string): void {
  for (const t of tags(html)) {
    expect(/\son[a-z]+\s*=/i.test(t.attrs), `${where}: <${t.name}${t.attrs}>`).toBe(false);
    expect(/javascript:/i.test(t.attrs), `${where}: <${t.name}${t.attrs}>`).toBe(false);
    expect(['img', 'svg'].includes(t.name) && /src=x|alert/.test(t.attrs), `${where}: <${t.name}${t.attrs}>`).toBe(
      false,
    );
  }
  for (const p of PAYLOADS) expect(html, where).not.toContain(p);
  expect(html, where).not.toMatch(/<script>alert\(/);
}

beforeAll(async () => {
  node = await startTestNode([P]);
  const auth = node.adminAuth(P);
  for (const [i, p] of PAYLOADS.entries()) {
    const values = [
      { index: 1, type: 'URL', data: { format: 'string', value: `https://x.example/${encodeURIComponent(p)}` } },
      { index: 2, type: 'DESC', data: { format: 'string', value: p } },
      { index: 3, type: 'EMAIL', data: { format: 'string', value: `a@x.example${p}` } },
      { index: 4, type: `NAME`, data: { format: 'string', value: p } },
      {
        index: 5,
        type: 'LINK',
        data: { format: 'link', value: { href: 'https://x.example/l', rel: 'gs1:pip', title: p } },
      },
      { index: 6, type: 'X-KIND', data: { format: 'string', value: p } },
    ];
    // One value per record too: a value the rules refuse must not keep the others out.
    await putRecord(node.url, `${P}/H-${i}`, values, auth);
    for (const [j, v] of values.entries()) await putRecord(node.url, `${P}/H-${i}-${j}`, [v], auth);
  }
});
afterAll(() => node.close());

describe('HTML injection', () => {
  it.each(PAYLOADS.map((p, i) => [p, i] as const))('planted %s stays text on every page', async (p, i) => {
    const pages = [
      `/${P}/H-${i}?noredirect`,
      ...Array.from({ length: 6 }, (_, j) => `/${P}/H-${i}-${j}?noredirect`),
      `/${P}/H-${i}?index=2`,
      `/${P}/H-${i}?linkType=all`,
      `/${P}/${encodeURIComponent(p)}`,
      `/${P}/${encodeURIComponent(p)}?noredirect`,
      `/${encodeURIComponent(p)}`,
      `/01/09506000134352/${encodeURIComponent(p)}`,
      `/01/${encodeURIComponent(p)}`,
      `/?q=${encodeURIComponent(p)}`,
    ];
    for (const path of pages) {
      const r = await fetch(`${node.url}${path}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      const body = await r.text();
      expect(r.status, path).toBeLessThan(500);
      if ((r.headers.get('content-type') ?? '').includes('html')) assertInert(body, path);
      else expect(body, path).not.toContain(p);
    }
  });

  it('the record page shows the planted text (escaped), so the test reads the page it claims to', async () => {
    const body = await (await fetch(`${node.url}/${P}/H-0-1?noredirect`, { headers: { accept: 'text/html' } })).text();
    expect(body).toContain('&lt;script&gt;');
  });
});
