import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdentifier } from '../../src/identifier/index.ts';
import { NO_CREDENTIALS, WANT_RECORD } from '../../src/resolve/answer.ts';
import { sized } from '../helpers/scale.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/** One template record answers for a million serials; an exact record wins; variables are URL-encoded. */

let node: TestNode;
const SERIALS = 1_000_000;
/** Serials resolved one by one through the service: all of them under IDNODE_TEST_FULL=1. */
const RESOLVED = sized(50_000, SERIALS);
/** Random serials asked over HTTP. */
const OVER_HTTP = sized(500, 2_000);
const serialOf = (n: number) => `BAT-2025-${String(n).padStart(7, '0')}`;

const template = (pattern: string, url: string) => [
  { index: 1, type: 'TEMPLATE', data: { format: 'json', value: { pattern } } },
  urlValue(2, url),
  { index: 3, type: 'KIND', data: { format: 'string', value: 'product' } },
];

beforeAll(async () => {
  // A million auth=true (cache-bypassing) answers: a budget to match, so none is refused.
  node = await startTestNode(['88.100.5'], { authoritativeReadsPerSecond: 1e7 });
  const auth = node.adminAuth('88.100.5');
  const put = await putRecord(
    node.url,
    '88.100.5/TEMPLATE.BAT',
    template('BAT-{batch}-{serial:digits}', 'https://dpp.example.com/battery/{batch}/{serial}?id={suffix}'),
    auth,
  );
  expect(put.status).toBe(201);
  expect(
    (
      await putRecord(
        node.url,
        '88.100.5/TEMPLATE.LOT',
        template('LOT-{lot}', 'https://dpp.example.com/lot/{lot}'),
        auth,
      )
    ).status,
  ).toBe(201);
});

afterAll(async () => node?.close());

const urlOf = (body: { values: { type: string; data: { value: unknown } }[] }) =>
  body.values.find((v) => v.type === 'URL')?.data.value;

describe('template records', () => {
  it(`answer ${OVER_HTTP} random serials over HTTP, variables filled, marked as from a template`, async () => {
    for (let i = 0; i < OVER_HTTP; i++) {
      const n = Math.floor(Math.random() * SERIALS);
      const res = await fetch(`${node.url}/api/handles/88.100.5/${serialOf(n)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-idnode-resolved-via')).toBe('template');
      const body = (await res.json()) as Parameters<typeof urlOf>[0] & { handle: string };
      expect(body.handle).toBe(`88.100.5/${serialOf(n)}`);
      expect(urlOf(body)).toBe(`https://dpp.example.com/battery/2025/${String(n).padStart(7, '0')}?id=${serialOf(n)}`);
      expect(body.values.some((v) => v.type === 'TEMPLATE')).toBe(false);
    }
  });

  it('an exact record for one serial overrides the template, and deleting it does not revive the template', async () => {
    const handle = `88.100.5/${serialOf(42)}`;
    const put = await putRecord(
      node.url,
      handle,
      [urlValue(1, 'https://exact.example.com/42')],
      node.adminAuth('88.100.5'),
    );
    expect(put.status).toBe(201);
    const res = await fetch(`${node.url}/api/handles/${handle}`);
    expect(res.headers.get('x-idnode-resolved-via')).toBeNull();
    expect(urlOf((await res.json()) as Parameters<typeof urlOf>[0])).toBe('https://exact.example.com/42');
    await fetch(`${node.url}/api/handles/${handle}`, {
      method: 'DELETE',
      headers: { authorization: node.adminAuth('88.100.5') },
    });
    // Deleted: 404 on the REST API (as Handle), 410 "withdrawn" on the QR route; the template stays out.
    expect((await fetch(`${node.url}/api/handles/${handle}`)).status).toBe(404);
    expect((await fetch(`${node.url}/${handle}`, { redirect: 'manual' })).status).toBe(410);
  });

  it('percent-encodes substituted parts in URLs', async () => {
    const res = await fetch(`${node.url}/api/handles/88.100.5/LOT-${encodeURIComponent('电池7')}`);
    expect(res.status).toBe(200);
    expect(urlOf((await res.json()) as Parameters<typeof urlOf>[0])).toBe(
      `https://dpp.example.com/lot/${encodeURIComponent('电池7')}`,
    );
  });

  it('a suffix matching no template stays not found; a changed template is served at once', async () => {
    expect((await fetch(`${node.url}/api/handles/88.100.5/BAT-2025-12AB`)).status).toBe(404);
    await fetch(`${node.url}/api/handles/88.100.5/LOT-7`);
    const put = await putRecord(
      node.url,
      '88.100.5/TEMPLATE.LOT',
      template('LOT-{lot}', 'https://dpp2.example.com/lot/{lot}'),
      node.adminAuth('88.100.5'),
    );
    expect(put.status).toBe(200);
    const res = await fetch(`${node.url}/api/handles/88.100.5/LOT-7`);
    expect(urlOf((await res.json()) as Parameters<typeof urlOf>[0])).toBe('https://dpp2.example.com/lot/7');
  });

  it('the QR route redirects a templated serial to its filled URL', async () => {
    const res = await fetch(`${node.url}/88.100.5/${serialOf(7)}`, { redirect: 'manual' });
    expect(res.headers.get('location')).toBe(`https://dpp.example.com/battery/2025/0000007?id=${serialOf(7)}`);
  });

  it('refuses bad templates with IDN_ERR_INVALID_TEMPLATE', async () => {
    const auth = node.adminAuth('88.100.5');
    for (const [handle, values] of [
      ['88.100.5/TEMPLATE.BAD', template('BAT-{batch}{serial}', 'https://x.example/{serial}')],
      ['88.100.5/TEMPLATE.BAD', template('BAT-{suffix}', 'https://x.example/')],
      ['88.100.5/TEMPLATE.BAD', template('BAT-{n:hex}', 'https://x.example/')],
      ['88.100.5/NOT-A-TEMPLATE', template('BAT-{n}', 'https://x.example/')],
    ] as const) {
      const r = await putRecord(node.url, handle, [...values], auth);
      expect(r.status, JSON.stringify(values[0])).toBe(400);
      expect(r.body.code).toBe('IDN_ERR_INVALID_TEMPLATE');
    }
  });
  it(`answer ${RESOLVED} serials (of 1,000,000, spread over the range) through the ResolutionService with no per-serial record stored`, async () => {
    const started = performance.now();
    const want = { ...WANT_RECORD, authoritative: true };
    let found = 0;
    // Evenly spread over the whole million, first and last included (every one when full), and 42.
    const serials = new Set(
      Array.from({ length: RESOLVED }, (_, i) => Math.floor((i * (SERIALS - 1)) / (RESOLVED - 1))),
    );
    serials.add(42);
    for (const n of serials) {
      const id = parseIdentifier(`88.100.5/${serialOf(n)}`, 'text');
      const a = await node.ctx.resolution.answer({ id, route: 'api' }, NO_CREDENTIALS, want);
      if (a.kind === 'found' && a.provenance.resolvedVia === 'template') found++;
    }
    // Serial 42 had an exact record, since deleted: it stays deleted, never revived by the template.
    expect(found).toBe(serials.size - 1);
    const page = await node.ctx.store.list('88.100.5/', { limit: 1000 });
    expect(page.keys.filter((k) => k.startsWith('88.100.5/bat-'))).toEqual([]);
    expect(page.keys.length).toBeLessThan(10);
    console.log(`${serials.size} template resolutions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }, 300_000);
});
