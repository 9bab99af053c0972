import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';
import { rawRequest } from '../http/raw-http.ts';

/**
 * Issue 13 item 10, open redirect: the node redirects only to stored, validated values. A target
 * smuggled in the request (`//evil`, `/\evil`, their encodings, on every redirecting route) is
 * never a Location, and a stored value that is not an absolute http(s) URL is never redirected to.
 */

const P = '88.100.5';
let node: TestNode;

const EVIL = [
  '//evil.example',
  '/\\evil.example',
  '/%2F%2Fevil.example',
  '/%5Cevil.example',
  '/%2f%5cevil.example',
  '/\\/evil.example',
  '/https://evil.example',
  '/%09//evil.example',
];
const STORED_BAD = [
  '//evil.example/x',
  '/\\evil.example',
  'javascript:alert(1)',
  'data:text/html,<script>1</script>',
  'https:evil.example',
  '\\\\evil.example',
  ' https://evil.example',
];

/**
 * A Location may only lead to the stored target's origin (GS1 passes the request's query on to
 * it, so the query may hold anything), or be a path on this node (`/…`, never `//` or `/\`).
 */
function assertSafeLocation(location: string | undefined, origins: readonly string[]): void {
  if (location === undefined) return;
  if (location.startsWith('/')) {
    expect(location, `Location ${location}`).toMatch(/^\/(?![/\\])/);
    return;
  }
  expect(origins, `Location ${location}`).toContain(new URL(location).origin);
}

/** A redirect to a stored value: an absolute http(s) URL, as the WHATWG parser writes it (no second reading). */
function assertCanonicalTarget(location: string | undefined): void {
  if (location === undefined) return;
  expect(location).toMatch(/^https?:\/\/[^/\\]/);
  expect(new URL(location).href.replace(/\/$/, '')).toBe(location.replace(/\/$/, ''));
}

beforeAll(async () => {
  node = await startTestNode([P]);
  const auth = node.adminAuth(P);
  expect((await putRecord(node.url, `${P}/GOOD`, [urlValue(1, 'https://good.example/p')], auth)).status).toBe(201);
  for (const [i, bad] of STORED_BAD.entries()) {
    // Refused at the write, or stored and then never a redirect target: either is fine here.
    await putRecord(node.url, `${P}/BAD-${i}`, [urlValue(1, bad)], auth);
  }
});
afterAll(() => node.close());

describe('open redirect', () => {
  it.each(EVIL)('request path %s on the QR, GS1 and record routes: no redirect off the node', async (evil) => {
    const paths = [
      evil,
      `${evil}/x`,
      `/${P}${evil}`,
      `/01/09506000134352${evil}`,
      `/${P}/GOOD${evil}`,
      `/${P}/GOOD?redirect=${encodeURIComponent(evil)}`,
      `/${P}/GOOD?url=${encodeURIComponent(evil)}`,
    ];
    for (const path of paths) {
      const r = await rawRequest(node.url, { path });
      const location = r.headers.location as string | undefined;
      assertSafeLocation(location, ['https://good.example']);
      expect(r.status, path).toBeLessThan(500);
    }
  });

  it.each(STORED_BAD.map((v, i) => [v, i] as const))('stored value %s is never a Location', async (_v, i) => {
    for (const q of ['', '?index=1', '?type=URL', '?linkType=all']) {
      const r = await rawRequest(node.url, { path: `/${P}/BAD-${i}${q}` });
      const location = r.headers.location as string | undefined;
      assertCanonicalTarget(location);
      expect(r.status).toBeLessThan(500);
    }
  });

  it('the stored good target is redirected to (the test sees redirects at all)', async () => {
    const r = await rawRequest(node.url, { path: `/${P}/GOOD` });
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('https://good.example/p');
  });
});
