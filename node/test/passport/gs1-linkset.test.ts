import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGs1Linkset, checkLinkset } from '../../src/passport/linkset-validator.ts';
import { startTestNode, type TestNode } from '../helpers/test-node.ts';
import { DL_PATHS, GTIN, HREF, NON_PUBLIC, registerGs1Fixture } from './gs1-fixture.ts';
import { scan } from './passport-helpers.ts';

/**
 * Every linkset the node can produce, validated against GS1's own linkset schema (Resolver 1.2,
 * node/src/passport/gs1-standard/gs1-linkset-schema.json) with ajv: each route (Digital Link and
 * QR), each kind of answer (exact record, walk-up from a serial or a lot, template, URL values
 * only, other primary keys), each way of asking (linkType=linkset|all, Accept linkset+json,
 * json, ld+json, 300 Multiple Choices of tied variants), each reader (anonymous, an admin who
 * sees the restricted links), languages (two-letter, region, script, three-letter, none) and
 * versions. The schema's own valid and invalid examples prove the check can fail. idnode's own
 * form (application/vnd.idnode.linkset+json) keeps the extensions and meets idnode's schema.
 */

let node: TestNode;
let admin: string;

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/gs1/${name}`, import.meta.url), 'utf8')) as unknown;

beforeAll(async () => {
  node = await startTestNode();
  admin = node.adminAuth('88.100.5');
  await registerGs1Fixture(node);
});
afterAll(() => node?.close());

describe("GS1's schema itself", () => {
  it("accepts GS1's valid example and refuses its invalid one (the check can fail)", () => {
    expect(checkGs1Linkset(fixture('valid-gs1-example.json'))).toEqual({ valid: true, errors: [] });
    const invalid = checkGs1Linkset(fixture('invalid-gs1-example.json'));
    expect(invalid.valid).toBe(false);
    // The example lacks itemDescription and has a target without title (a misspelt one).
    expect(invalid.errors.map((e) => e.message)).toEqual(
      expect.arrayContaining(["must have required property 'itemDescription'", "must have required property 'title'"]),
    );
  });

  it.each([
    ['hreflang "und"', { hreflang: ['und'] }],
    ["idnode's version attribute", { version: ['2'] }],
    ['a title* attribute', { 'title*': [{ value: 'x' }] }],
  ])('refuses what idnode wrote before Resolver 1.2: %s', (_name, extra) => {
    const doc = {
      linkset: [
        {
          anchor: 'https://id.example/01/09506000134352',
          itemDescription: 'x',
          'https://gs1.org/voc/pip': [{ href: 'https://p.example/', title: 't', ...extra }],
        },
      ],
    };
    expect(checkGs1Linkset(doc).valid).toBe(false);
  });
});

const LINKSET_ASKS: readonly [string, string, Record<string, string>][] = [
  ['linkType=linkset', '?linkType=linkset', {}],
  ['linkType=all', '?linkType=all', {}],
  ['Accept linkset+json', '', { accept: 'application/linkset+json' }],
  ['Accept json', '', { accept: 'application/json' }],
  ['Accept ld+json', '', { accept: 'application/ld+json' }],
  ['linkType=all, Accept-Language de', '?linkType=all', { 'accept-language': 'de' }],
];

const readers = (): Record<string, string>[] => [{}, { authorization: admin }];

/** A path on both routes: the Digital Link URL and the Handle-style QR URL of the same identifier. */
const bothRoutes = (dl: string): string[] => [dl, `/88.100.5${dl}`];

// The QR route names identifiers as registered: a GTIN-13 there is another (unregistered) identifier.
const PATHS = Object.values(DL_PATHS)
  .flatMap(bothRoutes)
  .filter((p) => p !== `/88.100.5${DL_PATHS.gtin13}`);

/** A record with URL values only keeps Handle's redirect for a plain JSON client (README behaviour table). */
const asks = (path: string) =>
  path.endsWith(DL_PATHS.urlOnly) ? LINKSET_ASKS.filter(([n]) => n !== 'Accept json') : LINKSET_ASKS;

/** GS1's form of a body: JSON-LD carries its @context, which the JSON linkset names in a Link header instead. */
function gs1Body(text: string): unknown {
  const doc = JSON.parse(text) as Record<string, unknown>;
  const { '@context': context, ...rest } = doc;
  if (context !== undefined) expect(context).toBe('https://ref.gs1.org/standards/resolver/linkset-context');
  return rest;
}

describe('every linkset the node serves is valid under GS1 schema', () => {
  it.each(PATHS)('%s, every way of asking, anonymous and as an admin', async (path) => {
    for (const [name, query, headers] of asks(path)) {
      for (const reader of readers()) {
        const r = await scan(node, `${path}${query}`, { ...headers, ...reader });
        const what = `${path}${query} ${name} ${'authorization' in reader ? 'admin' : 'anonymous'}`;
        expect(r.status, what).toBe(200);
        const check = checkGs1Linkset(gs1Body(r.text));
        expect(check.errors, what).toEqual([]);
        if (!('authorization' in reader)) for (const s of NON_PUBLIC) expect(r.everything, what).not.toContain(s);
      }
    }
  });

  it('the 300 answer of tied variants is a valid linkset too', async () => {
    for (const path of bothRoutes(DL_PATHS.gtin)) {
      const r = await scan(node, `${path}?linkType=gs1:certificationInfo`, { 'accept-language': 'en' });
      expect(r.status).toBe(300);
      expect(checkGs1Linkset(JSON.parse(r.text)).errors).toEqual([]);
    }
  });

  it('an admin sees the restricted links, marked public: false, and the linkset stays valid', async () => {
    const r = await scan(node, `${DL_PATHS.gtin}?linkType=linkset`, { authorization: admin });
    const doc = JSON.parse(r.text) as { linkset: Record<string, { href: string; public?: boolean }[]>[] };
    const ctx = doc.linkset[0] ?? {};
    expect(ctx['https://gs1.org/voc/recyclingInfo']).toEqual([
      { href: HREF.recycling, title: 'Dismantling', public: false },
    ]);
    expect(ctx['https://w3id.org/idnode/voc/carbonFootprint']?.[0]?.public).toBe(false);
  });

  it('languages: two-letter tags kept, region kept, script and three-letter tags reduced or dropped, none omitted', async () => {
    const r = await scan(node, `${DL_PATHS.gtin}?linkType=linkset`);
    type Target = { href: string; hreflang?: string[] };
    const ctx = (JSON.parse(r.text) as { linkset: Record<string, unknown>[] }).linkset[0] ?? {};
    const targets = Object.values(ctx).filter((v): v is Target[] => Array.isArray(v));
    const langOf = (href: string): string[] | undefined => targets.flat().find((t) => t.href === href)?.hreflang;
    expect(langOf(HREF.pipEn)).toEqual(['en']);
    expect(langOf(HREF.pipDe)).toEqual(['de-AT']);
    expect(langOf(HREF.dppZh)).toEqual(['zh-CN']);
    expect(langOf(HREF.instructionsEs)).toEqual(['es']);
    expect(langOf(HREF.instructionsGsw)).toBeUndefined();
    expect(langOf(HREF.instructions)).toBeUndefined();
  });
});

describe("idnode's own form keeps the extensions", () => {
  it.each(PATHS)('%s as application/vnd.idnode.linkset+json meets idnode schema', async (path) => {
    for (const reader of readers()) {
      const r = await scan(node, path, { accept: 'application/vnd.idnode.linkset+json', ...reader });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('application/vnd.idnode.linkset+json');
      expect(checkLinkset(JSON.parse(r.text)).errors).toEqual([]);
    }
  });

  it('versions, full language tags, und and access tiers are there', async () => {
    const r = await scan(node, DL_PATHS.gtin, {
      accept: 'application/vnd.idnode.linkset+json',
      authorization: admin,
    });
    const ctx = (JSON.parse(r.text) as { linkset: Record<string, Record<string, unknown>[]>[] }).linkset[0] ?? {};
    expect(ctx['https://gs1.org/voc/dpp']).toEqual(
      expect.arrayContaining([
        { href: HREF.dppV2, title: 'Battery passport', hreflang: ['en'], version: ['2'] },
        { href: HREF.dppZh, title: '电池护照', hreflang: ['zh-Hans-CN'], version: ['2'] },
      ]),
    );
    expect(ctx['predecessor-version']?.[0]).toMatchObject({ href: HREF.dppV1, version: ['1'] });
    expect(ctx['https://gs1.org/voc/recyclingInfo']).toEqual([
      { href: HREF.recycling, title: 'Dismantling', hreflang: ['und'], access: ['legitimate-interest'] },
    ]);
    expect(ctx['https://gs1.org/voc/instructions']?.[0]).toEqual({
      href: HREF.instructions,
      title: 'Manual',
      hreflang: ['und'],
    });
  });
});

describe('levels up to the primary key', () => {
  const anchors = async (path: string): Promise<string[]> => {
    const doc = JSON.parse((await scan(node, `${path}?linkType=all`)).text) as { linkset: { anchor: string }[] };
    return doc.linkset.map((c) => c.anchor);
  };

  it.each([
    ['a serial: itself, its lot, its GTIN', DL_PATHS.serial, [DL_PATHS.serial, DL_PATHS.lot, DL_PATHS.gtin]],
    ['a lot: itself, its GTIN', DL_PATHS.lot, [DL_PATHS.lot, DL_PATHS.gtin]],
    [
      'an unknown serial: itself (from its lot), its GTIN',
      DL_PATHS.unknownSerial,
      [DL_PATHS.unknownSerial, DL_PATHS.gtin],
    ],
    ['an unknown lot: itself (from its GTIN)', DL_PATHS.unknownLot, [DL_PATHS.unknownLot]],
    ['a GLN extension: itself, its GLN', DL_PATHS.glnExtension, [DL_PATHS.glnExtension, DL_PATHS.gln]],
    ['a GTIN alone', DL_PATHS.gtin, [DL_PATHS.gtin]],
  ])('%s', async (_name, path, expected) => {
    expect(await anchors(path)).toEqual(expected.map((p) => `${node.url}${p}`));
  });

  it('the subject is the canonical URI: a GTIN-13 request is anchored at its 14-digit GTIN', async () => {
    expect(await anchors(DL_PATHS.gtin13)).toEqual([`${node.url}/01/${GTIN}`]);
  });

  it('itemDescription: ITEM_DESCRIPTION, else DESC, else the default link title', async () => {
    const doc = JSON.parse((await scan(node, `${DL_PATHS.serial}?linkType=all`)).text) as {
      linkset: { itemDescription: string }[];
    };
    expect(doc.linkset.map((c) => c.itemDescription)).toEqual([
      'Passport of this battery',
      'Lot LOT-7',
      'Battery pack 48 V',
    ]);
  });

  it('a changed GTIN record changes the linkset of its serial (the cached answer depends on it)', async () => {
    const before = await scan(node, `${DL_PATHS.serial}?linkType=all`);
    const id = `88.100.5/01/${GTIN}`;
    const put = await fetch(`${node.url}/api/handles/${id}?index=99`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: admin },
      body: JSON.stringify({
        values: [
          {
            index: 99,
            type: 'LINK',
            data: {
              format: 'json',
              value: { linkType: 'gs1:epil', href: 'https://maker.example.com/leaflet', title: 'Leaflet' },
            },
          },
        ],
      }),
    });
    expect(put.status).toBe(200);
    const after = await scan(node, `${DL_PATHS.serial}?linkType=all`);
    expect(after.text).toContain('https://maker.example.com/leaflet');
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(checkGs1Linkset(JSON.parse(after.text)).errors).toEqual([]);
  });
});
