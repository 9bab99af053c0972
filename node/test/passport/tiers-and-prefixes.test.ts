import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGs1Linkset } from '../../src/passport/linkset-validator.ts';
import { putRecord, startTestNode, type TestNode } from '../helpers/test-node.ts';
import { create, kind, link, linksetHrefs, scan } from './passport-helpers.ts';

/**
 * Tier filtering over the QR route (an anonymous scan never sees a non-public link: not in
 * Location, Link header or linkset), and enterprise / park records reached through their prefix.
 */

let node: TestNode;
const P = 'https://passport.example.com/tier';
const SECRET_DPP = `${P}/authority-only-dpp`;
const LI_RECYCLING = `${P}/legitimate-interest-recycling`;
const PUBLIC_PIP = `${P}/public-pip`;
const ID = '88.100.5/BAT-TIER-1';

beforeAll(async () => {
  node = await startTestNode();
  await create(node, ID, [
    link(1, { linkType: 'gs1:dpp', href: SECRET_DPP, title: 'Full passport', default: true }, { access: 'authority' }),
    link(
      2,
      { linkType: 'gs1:recyclingInfo', href: LI_RECYCLING, title: 'Dismantling' },
      { access: 'legitimate-interest' },
    ),
    link(3, { linkType: 'gs1:pip', href: PUBLIC_PIP, title: 'Product page' }),
  ]);
});
afterAll(() => node.close());

const ANONYMOUS_REQUESTS: readonly [string, Record<string, string>][] = [
  ['', {}],
  ['?linkType=gs1:dpp', {}],
  ['?linkType=gs1:recyclingInfo', {}],
  ['?linkType=linkset', {}],
  ['', { accept: 'application/linkset+json' }],
  ['', { accept: 'application/json' }],
  ['?index=1', {}],
  ['?noredirect', {}],
  ['?linkType=idnode:carbonFootprint', { 'accept-language': 'en' }],
];

describe('tier filtering on the QR route', () => {
  it.each(ANONYMOUS_REQUESTS)('anonymous %s %o never sees a non-public link', async (query, headers) => {
    const r = await scan(node, `/${ID}${query}`, headers);
    expect(r.everything).not.toContain('authority-only');
    expect(r.everything).not.toContain('legitimate-interest-recycling');
    expect(r.status).toBeLessThan(500);
  });

  it('anonymous: the default is the lowest-index public link when the marked default is restricted', async () => {
    const r = await scan(node, `/${ID}`);
    expect(r.status).toBe(307);
    expect(r.location).toBe(PUBLIC_PIP);
    expect(r.headers.get('cache-control')).toMatch(/^public/);
  });

  it('publicOnly=true forces the public view even for an admin', async () => {
    const r = await scan(node, `/${ID}?publicOnly=true`, { authorization: node.adminAuth('88.100.5') });
    expect(r.location).toBe(PUBLIC_PIP);
    expect(r.everything).not.toContain('authority-only');
  });

  it('an admin of the record (authority tier) gets the restricted default, privately cached', async () => {
    const r = await scan(node, `/${ID}`, { authorization: node.adminAuth('88.100.5') });
    expect(r.status).toBe(307);
    expect(r.location).toBe(SECRET_DPP);
    expect(r.headers.get('cache-control')).toBe('private, no-store');
    expect(r.headers.get('etag')).toMatch(/^"\d+-a-/);
    // GS1 Resolver 1.2: the Link header names the linkset only; the restricted links are in it.
    expect(r.linkHeader).toContain('?linkType=linkset>; rel="linkset"');
  });

  it("an admin's linkset lists every link and validates", async () => {
    const r = await scan(node, `/${ID}?linkType=linkset`, { authorization: node.adminAuth('88.100.5') });
    const doc = JSON.parse(r.text) as unknown;
    expect(checkGs1Linkset(doc).errors).toEqual([]);
    expect(Object.values(linksetHrefs(doc)).flat()).toEqual(
      expect.arrayContaining([SECRET_DPP, LI_RECYCLING, PUBLIC_PIP]),
    );
  });

  it('an admin of another prefix is a public reader here', async () => {
    const r = await scan(node, `/${ID}?linkType=linkset`, { authorization: node.adminAuth('88.100.6') });
    expect(r.everything).not.toContain('authority-only');
  });

  it('anonymous, a record whose links are all restricted behaves as a record without links', async () => {
    await create(node, '88.100.5/BAT-TIER-2', [
      link(1, { linkType: 'gs1:dpp', href: SECRET_DPP, title: 'Full passport' }, { access: 'authority' }),
    ]);
    const r = await scan(node, '/88.100.5/BAT-TIER-2');
    expect(r.status).toBe(200); // Handle's record page: no public URL to go to
    expect(r.everything).not.toContain('authority-only');
  });
});

describe('enterprise and park records through their prefix', () => {
  const ENTERPRISE = 'https://enterprise.example.com/green-factory';
  const PARK = 'https://park.example.com/low-carbon-park';

  beforeAll(async () => {
    await create(
      node,
      '0.NA/88.100.5',
      [
        kind(1, 'enterprise'),
        link(2, {
          linkType: 'gs1:sustainabilityInfo',
          href: ENTERPRISE,
          title: 'Green low-carbon enterprise identifier',
          default: true,
        }),
        link(3, { linkType: 'idnode:carbonFootprint', href: `${ENTERPRISE}/pcf`, title: 'Corporate carbon footprint' }),
      ],
      '?index=1&index=2&index=3',
    );
    await create(
      node,
      '0.NA/88.100.6',
      [kind(1, 'park'), link(2, { linkType: 'gs1:sustainabilityInfo', href: PARK, title: 'Park carbon label' })],
      '?index=1&index=2',
    );
  });

  it('GET /88.100.5 resolves the prefix record 0.NA/88.100.5', async () => {
    const r = await scan(node, '/88.100.5');
    expect(r.status).toBe(307);
    expect(r.location).toBe(ENTERPRISE);
  });

  it('GET /0.NA/88.100.5 resolves the same record', async () => {
    const r = await scan(node, '/0.NA/88.100.5?linkType=idnode:carbonFootprint');
    expect(r.status).toBe(307);
    // GS1 Resolver 1.2: the query is passed on, linkType included.
    expect(r.location).toBe(`${ENTERPRISE}/pcf?linkType=idnode%3AcarbonFootprint`);
  });

  it("the prefix record's linkset is anchored at 0.NA/<prefix>", async () => {
    const r = await scan(node, '/88.100.5', { accept: 'application/linkset+json' });
    const doc = JSON.parse(r.text) as { linkset: { anchor: string }[] };
    expect(checkGs1Linkset(doc).errors).toEqual([]);
    expect(doc.linkset[0]?.anchor).toBe(`${node.url}/0.NA/88.100.5`);
    expect(r.everything).not.toContain('HS_SECKEY');
  });

  it('a park prefix: GET /88.100.6', async () => {
    const r = await scan(node, '/88.100.6');
    expect(r.status).toBe(307);
    expect(r.location).toBe(PARK);
  });

  it('a prefix that is not homed here: the usual problem, not a crash', async () => {
    const r = await scan(node, '/88.999', { accept: 'application/json' });
    expect([400, 404]).toContain(r.status);
  });

  it('a suffix alone is still a grammar error', async () => {
    const r = await scan(node, '/BAT-2025-000001', { accept: 'application/json' });
    expect(r.status).toBe(400);
    expect(r.text).toContain('IDN_ERR_MISSING_SEPARATOR');
  });
});

describe('LINK and KIND values are checked on write', () => {
  const put = (values: unknown[]) => putRecord(node.url, '88.100.5/BAD-LINK', values, node.adminAuth('88.100.5'));
  const ok = { linkType: 'gs1:dpp', href: 'https://p.example/1', title: 'DPP' };

  it.each([
    ['a javascript: href', { ...ok, href: 'javascript:alert(1)' }, 'IDN_ERR_INVALID_LINK'],
    ['a relative href', { ...ok, href: '/dpp' }, 'IDN_ERR_INVALID_LINK'],
    ['no title', { linkType: 'gs1:dpp', href: 'https://p.example/1' }, 'IDN_ERR_INVALID_LINK'],
    ['an unknown CURIE', { ...ok, linkType: 'gs1:nonsense' }, 'IDN_ERR_UNKNOWN_LINK_TYPE'],
    ['an unknown namespace', { ...ok, linkType: 'foo:dpp' }, 'IDN_ERR_UNKNOWN_LINK_TYPE'],
    ['a bad media type', { ...ok, type: 'html' }, 'IDN_ERR_INVALID_LINK'],
    ['a bad language tag', { ...ok, hreflang: ['english language'] }, 'IDN_ERR_INVALID_LINK'],
    ['hreflang not an array', { ...ok, hreflang: 'en' }, 'IDN_ERR_INVALID_LINK'],
    ['an unknown field', { ...ok, colour: 'green' }, 'IDN_ERR_INVALID_LINK'],
    ['a superseded default', { ...ok, version: '1', superseded: true, default: true }, 'IDN_ERR_INVALID_LINK'],
    ['a superseded link without version', { ...ok, superseded: true }, 'IDN_ERR_INVALID_LINK'],
  ])('%s is refused', async (_name, value, code) => {
    const r = await put([link(1, value)]);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(code);
    expect(String(r.body.message)).toContain('values[0].data');
  });

  it('a LINK with format "string" is refused', async () => {
    const r = await put([{ index: 1, type: 'LINK', data: { format: 'string', value: 'https://p.example' } }]);
    expect(r.body.code).toBe('IDN_ERR_INVALID_LINK');
  });

  it('two default links are refused', async () => {
    const r = await put([
      link(1, { ...ok, default: true }),
      link(2, { ...ok, href: 'https://p.example/2', default: true }),
    ]);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('IDN_ERR_INVALID_LINK');
  });

  it('full IRIs and every vocabulary type are accepted', async () => {
    const types = [
      'gs1:pip',
      'gs1:safetyInfo',
      'gs1:traceability',
      'gs1:instructions',
      'untp:dpp',
      'https://example.org/voc/x',
    ];
    const r = await put(types.map((t, i) => link(i + 1, { ...ok, linkType: t, href: `https://p.example/${i}` })));
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  });

  it.each(['product', 'batch', 'model', 'enterprise', 'park'])('KIND %s is accepted', async (k) => {
    expect((await put([kind(1, k)])).status).toBeLessThan(300);
  });

  it('an unknown KIND is refused', async () => {
    const r = await put([kind(1, 'factory')]);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('IDN_ERR_INVALID_VALUE');
  });
});
