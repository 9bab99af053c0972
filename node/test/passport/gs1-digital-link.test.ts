import dl from 'digital-link.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGs1Linkset } from '../../src/passport/linkset-validator.ts';
import { gs1CheckDigit } from '../../src/passport/gs1.ts';
import { startTestNode, type TestNode } from '../helpers/test-node.ts';
import { create, link, scan } from './passport-helpers.ts';

/**
 * GS1 Digital Link paths map onto identifiers under the GS1 prefix (default: the first homed
 * prefix, 88.100.5): /01/{gtin}/21/{serial} -> 88.100.5/01/{gtin14}/21/{serial}. The URLs the
 * tests build are checked with GS1's own digital-link.js first, so they are real Digital Links.
 */

let node: TestNode;

const GTIN14 = '09506000134352';
const GTIN13 = '9506000134352';
const DPP = 'https://passport.example.com/gtin';

/** A valid GTIN of `length` digits from a seed (GS1 mod-10 check digit appended). */
const gtinOf = (body: string): string => `${body}${gs1CheckDigit(body)}`;
const isDigitalLink = (url: string): boolean => dl.DigitalLink(url).isValid();

beforeAll(async () => {
  node = await startTestNode();
  await create(node, `88.100.5/01/${GTIN14}/21/ABC123`, [
    link(1, { linkType: 'gs1:dpp', href: `${DPP}/serial/ABC123`, title: 'Battery passport', default: true }),
  ]);
  await create(node, `88.100.5/01/${GTIN14}/10/LOT-7`, [
    link(1, { linkType: 'gs1:dpp', href: `${DPP}/lot/LOT-7`, title: 'Batch passport' }),
  ]);
  await create(node, `88.100.5/01/${GTIN14}`, [link(1, { linkType: 'gs1:pip', href: `${DPP}/model`, title: 'Model' })]);
});
afterAll(() => node.close());

describe('GS1 Digital Link paths', () => {
  it('/01/{gtin}/21/{serial} resolves like the QR route', async () => {
    const path = `/01/${GTIN14}/21/ABC123`;
    expect(isDigitalLink(`${node.url}${path}`)).toBe(true);
    const r = await scan(node, path);
    expect(r.status).toBe(307);
    expect(r.location).toBe(`${DPP}/serial/ABC123`);
    expect(r.linkHeader).toContain(`<${node.url}${path}?linkType=linkset>; rel="linkset"`);
  });

  it('the same record answers its Handle-style QR URL', async () => {
    const r = await scan(node, `/88.100.5/01/${GTIN14}/21/ABC123`);
    expect(r.location).toBe(`${DPP}/serial/ABC123`);
  });

  it('GTIN-13 is normalised to 14 digits', async () => {
    expect(isDigitalLink(`${node.url}/01/${GTIN13}/21/ABC123`)).toBe(true);
    const r = await scan(node, `/01/${GTIN13}/21/ABC123`);
    expect(r.location).toBe(`${DPP}/serial/ABC123`);
  });

  it('/01/{gtin}/10/{lot} and /01/{gtin} alone', async () => {
    expect((await scan(node, `/01/${GTIN14}/10/LOT-7`)).location).toBe(`${DPP}/lot/LOT-7`);
    expect((await scan(node, `/01/${GTIN14}`)).location).toBe(`${DPP}/model`);
  });

  it('the linkset anchor is the canonical Digital Link URL and validates', async () => {
    const r = await scan(node, `/01/${GTIN13}/21/ABC123`, { accept: 'application/linkset+json' });
    const doc = JSON.parse(r.text) as { linkset: { anchor: string }[] };
    expect(checkGs1Linkset(doc).errors).toEqual([]);
    const anchor = doc.linkset[0]?.anchor ?? '';
    expect(anchor).toBe(`${node.url}/01/${GTIN14}/21/ABC123`);
    expect(isDigitalLink(anchor)).toBe(true);
  });

  it('linkType negotiation works on Digital Link paths, a link type the serial lacks inherited from its GTIN', async () => {
    // GS1 Resolver 1.2: the links of each level up to the primary key count (this was a 404 before).
    const r = await scan(node, `/01/${GTIN14}/21/ABC123?linkType=gs1:pip`);
    expect(r.status).toBe(307);
    expect(r.location).toBe(`${DPP}/model?linkType=gs1%3Apip`);
    const none = await scan(node, `/01/${GTIN14}/21/ABC123?linkType=gs1:traceability`);
    expect(none.status).toBe(404);
    expect(none.text).toContain('IDN_ERR_LINK_TYPE_NOT_FOUND');
  });

  it.each([
    ['GTIN-8', gtinOf('9638507')],
    ['GTIN-12', gtinOf('03600029145')],
    ['GTIN-13', gtinOf('400638133393')],
    ['GTIN-14', gtinOf('1950600013435')],
  ])('%s with a correct check digit is a valid Digital Link and is accepted', async (_n, gtin) => {
    const url = `${node.url}/01/${gtin}/21/SN-1`;
    expect(isDigitalLink(url)).toBe(true);
    const r = await scan(node, `/01/${gtin}/21/SN-1`, { accept: 'application/json' });
    expect(r.status).toBe(404); // well-formed, just not registered
    expect(r.text).toContain('IDN_ERR_NOT_FOUND');
    expect(r.text).toContain(`88.100.5/01/${gtin.padStart(14, '0')}/21/SN-1`);
  });

  it('generated Digital Links for 50 sample GTINs all validate with digital-link.js and resolve', async () => {
    for (let i = 0; i < 50; i++) {
      const gtin = gtinOf(String(9506000100000 + i * 7919).slice(0, 13));
      const path = `/01/${gtin}/10/L${i}`;
      expect(isDigitalLink(`${node.url}${path}`), path).toBe(true);
      expect((await scan(node, path, { accept: 'application/json' })).status, path).toBe(404);
    }
  });
});

describe('bad Digital Links get coded 400s', () => {
  const wrong = `${GTIN14.slice(0, 13)}${(Number(GTIN14[13]) + 1) % 10}`;

  it.each([
    ['a wrong check digit', `/01/${wrong}/21/ABC123`, 'IDN_ERR_GS1_CHECK_DIGIT'],
    ['a wrong GTIN-13 check digit', `/01/9506000134353`, 'IDN_ERR_GS1_CHECK_DIGIT'],
    ['a GTIN of 11 digits', '/01/95060001343/21/X', 'IDN_ERR_GS1_INVALID_GTIN'],
    ['letters in the GTIN', '/01/0950600013435A', 'IDN_ERR_GS1_INVALID_GTIN'],
    ['an unsupported AI', `/01/${GTIN14}/99/X`, 'IDN_ERR_GS1_UNSUPPORTED_PATH'],
    ['a qualifier of another key', `/01/${GTIN14}/254/X`, 'IDN_ERR_GS1_UNSUPPORTED_PATH'],
    ['a GLN with a wrong check digit', '/414/9521234500002', 'IDN_ERR_GS1_CHECK_DIGIT'],
    ['an SSCC of 17 digits', '/00/10614141123456789', 'IDN_ERR_GS1_INVALID_KEY'],
    ['a GIAI over 30 characters', `/8004/${'9'.repeat(31)}`, 'IDN_ERR_GS1_INVALID_KEY'],
    ['a bad expiry date in the query', `/01/${GTIN14}?17=261340`, 'IDN_ERR_GS1_INVALID_ATTRIBUTE'],
    ['a key qualifier in the query', `/01/${GTIN14}?10=LOT`, 'IDN_ERR_GS1_INVALID_ATTRIBUTE'],
    ['qualifiers out of order', `/01/${GTIN14}/21/S/10/L`, 'IDN_ERR_GS1_UNSUPPORTED_PATH'],
    ['a dangling AI', `/01/${GTIN14}/21`, 'IDN_ERR_GS1_UNSUPPORTED_PATH'],
    ['a serial over 20 characters', `/01/${GTIN14}/21/${'S'.repeat(21)}`, 'IDN_ERR_GS1_INVALID_QUALIFIER'],
    ['a serial outside character set 82', `/01/${GTIN14}/21/%C3%A9`, 'IDN_ERR_GS1_INVALID_QUALIFIER'],
    ['broken percent-encoding', `/01/${GTIN14}/21/%ZZ`, 'IDN_ERR_BAD_PERCENT_ENCODING'],
  ])('%s', async (_name, path, code) => {
    const r = await scan(node, path, { accept: 'application/json' });
    expect(r.status).toBe(400);
    expect((JSON.parse(r.text) as { code: string }).code).toBe(code);
  });

  it('digital-link.js agrees that a wrong check digit is not a Digital Link', () => {
    expect(isDigitalLink(`https://id.example.com/01/${wrong}/21/ABC123`)).toBe(false);
    expect(isDigitalLink(`https://id.example.com/01/${GTIN14}/21/ABC123`)).toBe(true);
  });
});

describe('resolver description', () => {
  it.each(['/.well-known/gs1resolver', '/.well-known/idnode-resolver'])('%s', async (path) => {
    const r = await scan(node, path);
    expect(r.status).toBe(200);
    const d = JSON.parse(r.text) as Record<string, unknown>;
    expect(d.resolverRoot).toBe(node.url);
    expect(d.supportedPrimaryKeys).toEqual(expect.arrayContaining(['01', '00', '414', '8004', '8017']));
    expect(d.supportsLanguageVariants).toBe(true);
    expect(JSON.stringify(d.supportedLinkType)).toContain('https://gs1.org/voc/');
    expect(JSON.stringify(d.linkTypes)).toContain('idnode:carbonFootprint');
    const schemes = d.identifierSchemes as { scheme: string; prefixes?: string[]; mapsTo?: string }[];
    expect(schemes.find((s) => s.scheme === 'handle')?.prefixes).toEqual(['88.100.5', '88.100.6']);
    expect(schemes.find((s) => s.scheme === 'gs1-digital-link')?.mapsTo).toBe('88.100.5/01/{gtin14}/21/{serial}');
  });
});
