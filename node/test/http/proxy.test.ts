import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/** The QR / proxy route `GET /{identifier}` as a phone or browser sees it. */

let node: TestNode;
let admin5: string;

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

async function scan(path: string): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${node.url}${path}`, { redirect: 'manual', headers: BROWSER });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function create(handle: string, values: unknown[], query = ''): Promise<void> {
  const put = await putRecord(node.url, handle, values, admin5, query);
  expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
}

const desc = (index: number, value: string, extra: Record<string, unknown> = {}) => ({
  index,
  type: 'DESC',
  data: { format: 'string', value },
  ...extra,
});

function expectPage(r: { headers: Headers; text: string }): void {
  expect(r.headers.get('content-type')).toMatch(/^text\/html/);
  expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(r.text).toMatch(/^<!doctype html>/);
}

beforeAll(async () => {
  node = await startTestNode();
  admin5 = node.adminAuth('88.100.5');
});
afterAll(() => node.close());

describe('redirects', () => {
  beforeAll(async () => {
    await create('88.100.5/QR-1', [urlValue(5, 'https://example.com/five'), desc(3, 'a battery')]);
    await create('88.100.5/QR-1', [urlValue(2, 'https://example.com/two')], '?index=2');
  });

  it('sends a scan to the lowest-index URL value, not the first one registered', async () => {
    const r = await scan('/88.100.5/qr-1');
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('https://example.com/two');
    expect(r.headers.get('cache-control')).toMatch(/max-age=\d+/);
  });

  it('?index=N redirects to that URL value', async () => {
    const r = await scan('/88.100.5/QR-1?index=5');
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('https://example.com/five');
  });

  it('?index=N of a value that is not a URL shows the record page', async () => {
    const r = await scan('/88.100.5/QR-1?index=3');
    expect(r.status).toBe(200);
    expectPage(r);
    expect(r.text).toContain('a battery');
  });

  it('?index=N naming no value is a 404 page (not a 400 carrying Handle RC 200)', async () => {
    const r = await scan('/88.100.5/QR-1?index=42');
    expect(r.status).toBe(404);
    expectPage(r);
    expect(r.text).toContain('IDN_ERR_NO_REDIRECT_TARGET');
  });

  it('never redirects to a URL value readers may not see', async () => {
    await create('88.100.5/QR-2', [
      urlValue(1, 'https://internal.example/secret-dashboard', { access: 'authority' }),
      urlValue(2, 'https://example.com/public'),
    ]);
    expect((await scan('/88.100.5/QR-2')).headers.get('location')).toBe('https://example.com/public');
    const picked = await scan('/88.100.5/QR-2?index=1');
    expect(picked.status).toBe(404);
    expect(picked.headers.get('location')).toBeNull();
    expect(picked.text).not.toContain('secret-dashboard');
  });

  it('an admin of the record is redirected to a restricted URL value, never via a shared cache', async () => {
    const res = await fetch(`${node.url}/88.100.5/QR-2`, { redirect: 'manual', headers: { authorization: admin5 } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://internal.example/secret-dashboard');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
  });
});

describe('record pages', () => {
  beforeAll(() =>
    create('88.100.5/PAGE-1', [
      urlValue(1, 'https://example.com/page'),
      desc(2, 'public note'),
      desc(3, 'dealer price 17.50', { access: 'legitimate-interest' }),
      desc(4, 'authority-only recall contact', { access: 'authority' }),
      desc(5, '<script>alert("x")</script>'),
      { index: 301, type: 'HS_SECKEY', data: { format: 'string', value: 'the-record-secret-1' } },
    ]),
  );

  it('?noredirect lists the public values only', async () => {
    const r = await scan('/88.100.5/PAGE-1?noredirect');
    expect(r.status).toBe(200);
    expectPage(r);
    expect(r.text).toContain('88.100.5/PAGE-1');
    expect(r.text).toContain('https://example.com/page');
    expect(r.text).toContain('public note');
    expect(r.text).not.toContain('dealer price');
    expect(r.text).not.toContain('authority-only');
    expect(r.text).not.toContain('the-record-secret-1');
    expect(r.text).not.toContain('scrypt');
  });

  it('escapes HTML in values', async () => {
    const r = await scan('/88.100.5/PAGE-1?noredirect');
    expect(r.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(r.text).not.toContain('<script>');
  });

  it('shows a record without a URL value instead of redirecting', async () => {
    await create('88.100.5/NOURL-1', [desc(1, 'just a description')]);
    const r = await scan('/88.100.5/NOURL-1');
    expect(r.status).toBe(200);
    expectPage(r);
    expect(r.text).toContain('just a description');
  });
});

describe('problem pages', () => {
  it('explains an unknown identifier with 404, naming it and the homed prefixes', async () => {
    const missing = await scan('/88.100.5/NOT-THERE-9');
    expect(missing.status).toBe(404);
    expectPage(missing);
    expect(missing.text).toContain('88.100.5/NOT-THERE-9');
    expect(missing.text).toContain('88.100.6');
    expect(missing.text).toContain('IDN_ERR_NOT_FOUND');
  });

  it('answers 410 for a deleted identifier', async () => {
    await create('88.100.5/WITHDRAWN-1', [urlValue(1, 'https://example.com/w')]);
    const del = await fetch(`${node.url}/api/handles/88.100.5/WITHDRAWN-1`, {
      method: 'DELETE',
      headers: { authorization: admin5 },
    });
    expect(del.status).toBe(200);
    const r = await scan('/88.100.5/WITHDRAWN-1');
    expect(r.status).toBe(410);
    expectPage(r);
    expect(r.text).toContain('IDN_ERR_GONE');
    expect(r.headers.get('location')).toBeNull();
  });

  it('answers JSON errors to clients that ask for JSON', async () => {
    const res = await fetch(`${node.url}/88.100.5/NOT-THERE-9`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      responseCode: 100,
      code: 'IDN_ERR_NOT_FOUND',
      handle: '88.100.5/NOT-THERE-9',
    });
  });
});

describe('landing page and API docs', () => {
  it('/ describes the node and lists the homed prefixes', async () => {
    const r = await scan('/');
    expect(r.status).toBe(200);
    expectPage(r);
    expect(r.text).toContain('88.100.5');
    expect(r.text).toContain('88.100.6');
  });

  it('/docs serves the OpenAPI UI', async () => {
    const res = await fetch(`${node.url}/docs`, { headers: BROWSER });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/swagger/i);
  });

  it('/docs/json is an OpenAPI 3 document with the handle routes', async () => {
    const res = await fetch(`${node.url}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const handles = doc.paths['/api/handles/{*}'];
    expect(handles).toBeDefined();
    expect(Object.keys(handles ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    expect(doc.paths['/api/handles']).toBeDefined();
  });
});
