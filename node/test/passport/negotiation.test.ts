import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGs1Linkset, checkLinkset } from '../../src/passport/linkset-validator.ts';
import { startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';
import { create, link, linksetHrefs, scan, type Scan } from './passport-helpers.ts';

/**
 * The negotiation table of the QR route for a record with typed links: each row is one request
 * (query, Accept, Accept-Language) and the status, Location, Link header and body it must get.
 * Anonymous rows also check that no non-public link shows anywhere in the answer.
 * GS1 Resolver 1.2 changed three things these rows assert: the Link header carries the linkset
 * link only (the list of every link was deprecated), a redirect passes on every key=value pair
 * of the query (linkType too), and `version` is in idnode's own linkset form only.
 */

let node: TestNode;
const ID = '88.100.5/BAT-NEG-1';
const P = 'https://passport.example.com/bat-neg-1';
const HREF = {
  dppEn: `${P}/dpp/en`,
  dppDe: `${P}/dpp/de`,
  dppV1: `${P}/dpp/v1/en`,
  pip: `${P}/pip`,
  recycling: `${P}/recycling-restricted`,
  carbon: `${P}/carbon-authority`,
  certHtml: `${P}/cert.html`,
  certPdf: `${P}/cert.pdf`,
  instrUnd: `${P}/instructions`,
  instrJa: `${P}/instructions/ja`,
  safetyCn: `${P}/safety/cn`,
  safetyEu: `${P}/safety/eu`,
};
const NON_PUBLIC = ['recycling-restricted', 'carbon-authority'];

const GS1 = 'https://gs1.org/voc/';

beforeAll(async () => {
  node = await startTestNode();
  await create(node, ID, [
    link(1, {
      linkType: 'gs1:dpp',
      href: HREF.dppEn,
      title: 'Battery passport',
      type: 'text/html',
      hreflang: ['en'],
      default: true,
      version: '2',
    }),
    link(2, {
      linkType: 'gs1:dpp',
      href: HREF.dppDe,
      title: 'Batteriepass',
      type: 'text/html',
      hreflang: ['de'],
      version: '2',
    }),
    link(3, { linkType: 'gs1:pip', href: HREF.pip, title: 'Product page', type: 'text/html', hreflang: ['en'] }),
    link(
      4,
      { linkType: 'gs1:recyclingInfo', href: HREF.recycling, title: 'Dismantling', hreflang: ['en'] },
      { access: 'legitimate-interest' },
    ),
    link(5, { linkType: 'idnode:carbonFootprint', href: HREF.carbon, title: 'PCF detail' }, { access: 'authority' }),
    link(6, {
      linkType: 'gs1:dpp',
      href: HREF.dppV1,
      title: 'Battery passport v1',
      type: 'text/html',
      hreflang: ['en'],
      version: '1',
      superseded: true,
    }),
    link(7, {
      linkType: 'gs1:certificationInfo',
      href: HREF.certHtml,
      title: 'Certificate',
      type: 'text/html',
      hreflang: ['en'],
    }),
    link(8, {
      linkType: 'gs1:certificationInfo',
      href: HREF.certPdf,
      title: 'Certificate',
      type: 'application/pdf',
      hreflang: ['en'],
    }),
    link(9, { linkType: 'gs1:instructions', href: HREF.instrUnd, title: 'Instructions' }),
    link(10, { linkType: 'gs1:instructions', href: HREF.instrJa, title: '取扱説明書', hreflang: ['ja'] }),
    link(11, { linkType: 'gs1:safetyInfo', href: HREF.safetyCn, title: 'Safety (CN)', context: 'CN' }),
    link(12, { linkType: 'gs1:safetyInfo', href: HREF.safetyEu, title: 'Safety (EU)', context: 'EU' }),
  ]);
});
afterAll(() => node.close());

interface Row {
  readonly name: string;
  readonly query?: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly location?: string;
  /** For linkset answers: the hrefs the body must list, and its content type. */
  readonly linkset?: { readonly contentType: string; readonly includes: readonly string[] };
  readonly problem?: string;
}

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const TABLE: readonly Row[] = [
  { name: 'plain scan: 307 to the default link', status: 307, location: HREF.dppEn },
  { name: 'browser Accept: still the redirect', headers: { accept: BROWSER }, status: 307, location: HREF.dppEn },
  {
    name: 'Accept-Language de: the German variant',
    headers: { 'accept-language': 'de' },
    status: 307,
    location: HREF.dppDe,
  },
  {
    name: 'q-values: fr first (none), then de',
    headers: { 'accept-language': 'fr, de;q=0.5, en;q=0.1' },
    status: 307,
    location: HREF.dppDe,
  },
  { name: 'de-AT falls back to de', headers: { 'accept-language': 'de-AT' }, status: 307, location: HREF.dppDe },
  {
    name: 'no matching language: the default',
    headers: { 'accept-language': 'es' },
    status: 307,
    location: HREF.dppEn,
  },
  { name: 'linkType=gs1:pip', query: '?linkType=gs1:pip', status: 307, location: `${HREF.pip}?linkType=gs1%3Apip` },
  {
    name: 'linktype key and CURIE case-insensitive',
    query: '?LINKTYPE=GS1:PIP',
    status: 307,
    location: `${HREF.pip}?LINKTYPE=GS1%3APIP`,
  },
  {
    name: 'linkType as a full IRI',
    query: `?linkType=${encodeURIComponent(`${GS1}pip`)}`,
    status: 307,
    location: `${HREF.pip}?linkType=${encodeURIComponent(`${GS1}pip`)}`,
  },
  {
    name: 'every key=value pair passes on to the target (GS1 Resolver 1.2)',
    query: '?linkType=gs1:pip&utm=qr',
    status: 307,
    location: `${HREF.pip}?linkType=gs1%3Apip&utm=qr`,
  },
  {
    name: 'linkType=gs1:dpp never picks the superseded version',
    query: '?linkType=gs1:dpp',
    headers: { 'accept-language': 'en' },
    status: 307,
    location: `${HREF.dppEn}?linkType=gs1%3Adpp`,
  },
  {
    name: 'two equally good variants: 300 with both',
    query: '?linkType=gs1:certificationInfo',
    headers: { 'accept-language': 'en' },
    status: 300,
    linkset: { contentType: 'application/linkset+json', includes: [HREF.certHtml, HREF.certPdf] },
  },
  {
    name: 'Accept names a media type: it breaks the tie',
    query: '?linkType=gs1:certificationInfo',
    headers: { 'accept-language': 'en', accept: 'application/pdf' },
    status: 307,
    location: `${HREF.certPdf}?linkType=gs1%3AcertificationInfo`,
  },
  {
    name: 'no language match: the "und" variant',
    query: '?linkType=gs1:instructions',
    headers: { 'accept-language': 'ko' },
    status: 307,
    location: `${HREF.instrUnd}?linkType=gs1%3Ainstructions`,
  },
  {
    name: 'language match beats und',
    query: '?linkType=gs1:instructions',
    headers: { 'accept-language': 'ja' },
    status: 307,
    location: `${HREF.instrJa}?linkType=gs1%3Ainstructions`,
  },
  {
    name: 'context picks a variant',
    query: '?linkType=gs1:safetyInfo&context=EU',
    status: 307,
    location: `${HREF.safetyEu}?linkType=gs1%3AsafetyInfo&context=EU`,
  },
  {
    name: 'a link type the record lacks: 404',
    query: '?linkType=gs1:traceability',
    headers: { accept: 'text/html' },
    status: 404,
    problem: 'IDN_ERR_LINK_TYPE_NOT_FOUND',
  },
  {
    name: 'a non-public link type, anonymously: 404, as if absent',
    query: '?linkType=gs1:recyclingInfo',
    headers: { accept: 'text/html' },
    status: 404,
    problem: 'IDN_ERR_LINK_TYPE_NOT_FOUND',
  },
  {
    name: 'an unknown CURIE: 404',
    query: '?linkType=gs1:nonsense',
    status: 404,
    problem: 'IDN_ERR_LINK_TYPE_NOT_FOUND',
  },
  {
    name: 'linkType=linkset',
    query: '?linkType=linkset',
    status: 200,
    linkset: { contentType: 'application/linkset+json', includes: [HREF.dppEn, HREF.dppDe, HREF.pip, HREF.dppV1] },
  },
  {
    name: 'linkType=all (GS1, deprecated)',
    query: '?linkType=all',
    status: 200,
    linkset: { contentType: 'application/linkset+json', includes: [HREF.dppEn, HREF.pip] },
  },
  {
    name: 'Accept: application/linkset+json',
    headers: { accept: 'application/linkset+json' },
    status: 200,
    linkset: { contentType: 'application/linkset+json', includes: [HREF.dppEn, HREF.instrJa] },
  },
  {
    name: 'Accept: application/json',
    headers: { accept: 'application/json' },
    status: 200,
    linkset: { contentType: 'application/json', includes: [HREF.dppEn] },
  },
  {
    name: 'linkset Accept wins over a linkType',
    query: '?linkType=gs1:pip',
    headers: { accept: 'application/linkset+json' },
    status: 200,
    linkset: { contentType: 'application/linkset+json', includes: [HREF.pip] },
  },
];

/** GS1 Resolver 1.2: the linkset link on every answer, and no deprecated list of every link. */
function expectCommonHeaders(r: Scan): void {
  expect(r.linkHeader).toMatch(
    new RegExp(`^<${node.url}/${ID}\\?linkType=linkset>; rel="linkset"; type="application/linkset\\+json"`),
  );
  for (const href of [HREF.dppEn, HREF.pip, HREF.dppV1]) expect(r.linkHeader).not.toContain(href);
  expect(r.headers.get('vary')).toMatch(/Accept, Accept-Language/);
  expect(r.headers.get('etag')).toMatch(/^"\d+-p-[^"]+"$/);
  expect(r.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
}

describe('negotiation table (anonymous)', () => {
  it.each(TABLE.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const r = await scan(node, `/${ID}${row.query ?? ''}`, row.headers);
    expect(r.status, r.text.slice(0, 300)).toBe(row.status);
    expect(r.location).toBe(row.location ?? null);
    expectCommonHeaders(r);
    for (const secret of NON_PUBLIC) expect(r.everything).not.toContain(secret);
    if (row.linkset) {
      expect(r.headers.get('content-type')).toContain(row.linkset.contentType);
      const doc = JSON.parse(r.text) as unknown;
      expect(checkGs1Linkset(doc).errors).toEqual([]);
      const hrefs = Object.values(linksetHrefs(doc)).flat();
      for (const h of row.linkset.includes) expect(hrefs).toContain(h);
    }
    if (row.problem) expect(r.text).toContain(row.problem);
  });

  it('the 300 answer lists exactly the tied variants', async () => {
    const r = await scan(node, `/${ID}?linkType=gs1:certificationInfo`, { 'accept-language': 'en' });
    expect(linksetHrefs(JSON.parse(r.text))).toEqual({ [`${GS1}certificationInfo`]: [HREF.certHtml, HREF.certPdf] });
  });

  it('the linkset is anchored at the resolver URL and lists the default under gs1:defaultLink', async () => {
    const r = await scan(node, `/${ID}?linkType=linkset`);
    const doc = JSON.parse(r.text) as { linkset: Record<string, unknown>[] };
    expect(doc.linkset[0]?.anchor).toBe(`${node.url}/${ID}`);
    const hrefs = linksetHrefs(doc);
    expect(hrefs[`${GS1}defaultLink`]).toEqual([HREF.dppEn]);
    expect(hrefs[`${GS1}dpp`]).toEqual([HREF.dppEn, HREF.dppDe]);
    expect(hrefs['https://w3id.org/idnode/voc/carbonFootprint']).toBeUndefined();
  });

  it('If-None-Match with the linkset ETag: 304', async () => {
    const first = await scan(node, `/${ID}`, { accept: 'application/linkset+json' });
    const etag = first.headers.get('etag') ?? '';
    const again = await scan(node, `/${ID}`, { accept: 'application/linkset+json', 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('the 404 answer keeps the Link header, so a client finds the linkset of what exists', async () => {
    const r = await scan(node, `/${ID}?linkType=gs1:traceability`);
    expect(r.status).toBe(404);
    expect(r.linkHeader).toBe(`<${node.url}/${ID}?linkType=linkset>; rel="linkset"; type="application/linkset+json"`);
  });
});

describe('versioned links', () => {
  it('the default is the latest version; predecessors are listed with predecessor-version', async () => {
    // Versions are idnode's extension: in idnode's own form; GS1's schema allows no `version` attribute.
    const r = await scan(node, `/${ID}`, { accept: 'application/vnd.idnode.linkset+json' });
    expect(r.headers.get('content-type')).toContain('application/vnd.idnode.linkset+json');
    const doc = JSON.parse(r.text) as { linkset: Record<string, { href: string; version?: string[] }[]>[] };
    expect(checkLinkset(doc).errors).toEqual([]);
    const ctx = doc.linkset[0] ?? {};
    expect(ctx['predecessor-version']).toEqual([
      { href: HREF.dppV1, title: 'Battery passport v1', type: 'text/html', hreflang: ['en'], version: ['1'] },
    ]);
    expect(ctx[`${GS1}defaultLink`]?.[0]?.version).toEqual(['2']);
    const gs1 = JSON.parse((await scan(node, `/${ID}`, { accept: 'application/linkset+json' })).text) as {
      linkset: Record<string, unknown[]>[];
    };
    expect(gs1.linkset[0]?.['predecessor-version']).toEqual([
      { href: HREF.dppV1, title: 'Battery passport v1', type: 'text/html', hreflang: ['en'] },
    ]);
    expect(gs1.linkset[0]?.[`${GS1}defaultLink`]).toEqual([{ href: HREF.dppEn, title: 'Battery passport' }]);
    expect((await scan(node, `/${ID}`)).location).toBe(HREF.dppEn);
  });

  it('a new version supersedes the old: the default moves with it', async () => {
    const id = '88.100.5/BAT-VER-1';
    await create(node, id, [
      link(1, { linkType: 'gs1:dpp', href: `${P}/ver/v1`, title: 'v1', version: '1', default: true }),
    ]);
    expect((await scan(node, `/${id}`)).location).toBe(`${P}/ver/v1`);
    await create(node, id, [
      link(1, { linkType: 'gs1:dpp', href: `${P}/ver/v1`, title: 'v1', version: '1', superseded: true }),
      link(2, { linkType: 'gs1:dpp', href: `${P}/ver/v2`, title: 'v2', version: '2', default: true }),
    ]);
    const r = await scan(node, `/${id}`);
    expect(r.location).toBe(`${P}/ver/v2`);
    const doc = JSON.parse((await scan(node, `/${id}?linkType=linkset`)).text) as unknown;
    expect(linksetHrefs(doc)['predecessor-version']).toEqual([`${P}/ver/v1`]);
  });
});

describe('records without typed links keep Handle proxy behaviour', () => {
  beforeAll(() => create(node, '88.100.5/URL-ONLY-1', [urlValue(1, 'https://example.com/plain')]));

  it('302 to the URL value, even for a JSON client, with the Link header to its linkset', async () => {
    for (const accept of [BROWSER, 'application/json']) {
      const r = await scan(node, '/88.100.5/URL-ONLY-1', { accept });
      expect(r.status).toBe(302);
      expect(r.location).toBe('https://example.com/plain');
      expect(r.linkHeader).toBe(
        `<${node.url}/88.100.5/URL-ONLY-1?linkType=linkset>; rel="linkset"; type="application/linkset+json"`,
      );
    }
  });

  it('an explicit linkset request lists the URL values (describedby)', async () => {
    const r = await scan(node, '/88.100.5/URL-ONLY-1', { accept: 'application/linkset+json' });
    expect(r.status).toBe(200);
    const doc = JSON.parse(r.text) as unknown;
    expect(checkGs1Linkset(doc).errors).toEqual([]);
    expect(linksetHrefs(doc).describedby).toEqual(['https://example.com/plain']);
  });
});
