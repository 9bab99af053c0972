import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressDigitalLink } from '../../src/passport/gs1-compression/index.ts';
import { startTestNode, type TestNode } from '../helpers/test-node.ts';
import { create, link, scan, type Scan } from './passport-helpers.ts';

/**
 * Compressed GS1 Digital Link URIs over real HTTP: each of GS1's vectors answers exactly as its
 * uncompressed form (status, Location, Link, body), plus `Link: <uncompressed>; rel="owl:sameAs"`;
 * bad input is a coded 400; one-segment QR paths (`/{prefix}`) are answered as before.
 */

interface Vector {
  readonly compressed: string;
  readonly compressed_unoptimised?: string;
  readonly decompresses_to: string;
}
const VECTORS = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../../shared/standards/gs1/dl-compression-vectors.json'), 'utf8'),
) as Vector[];

const GTIN = '09506000134352';
const DPP = 'https://passport.example.com';
/** The path and query of a vector URI: the node serves them at its own root. */
const local = (uri: string): string => {
  const u = new URL(uri);
  return `${u.pathname}${u.search}`;
};
const SAME_AS = /<([^>]+)>; rel="owl:sameAs"/;
const withoutSameAs = (link: string): string =>
  link
    .split(/,\s*(?=<)/)
    .filter((l) => !SAME_AS.test(l))
    .join(', ');

let node: TestNode;
let prefixed: TestNode;
let homesLookalike: TestNode;

beforeAll(async () => {
  node = await startTestNode();
  // A node whose public URL has a path (a proxy serves it under /prefix): the sameAs URI keeps it.
  prefixed = await startTestNode(undefined, {
    passport: { publicUrl: 'https://id.example.com/prefix', gs1Prefix: undefined },
  });
  // A node homing a prefix that happens to read as a compressed GTIN link: its own prefix wins.
  homesLookalike = await startTestNode(['88.100.5', 'ARFKk4XBoA']);
  await create(node, `88.100.5/01/${GTIN}`, [
    link(1, { linkType: 'gs1:pip', href: `${DPP}/model`, title: 'Product information', default: true }),
    link(2, { linkType: 'gs1:dpp', href: `${DPP}/model/dpp`, title: 'Product passport' }),
  ]);
  await create(node, `88.100.5/01/${GTIN}/10/ABC123`, [
    link(1, { linkType: 'gs1:dpp', href: `${DPP}/lot/ABC123`, title: 'Batch passport', default: true }),
    link(2, { linkType: 'gs1:pip', href: `${DPP}/lot/ABC123/pip`, title: 'Batch information' }),
  ]);
  await create(node, `88.100.5/01/${GTIN}/10/00123`, [
    link(1, { linkType: 'gs1:dpp', href: `${DPP}/lot/00123`, title: 'Batch 00123', default: true }),
  ]);
  await create(node, `88.100.5/01/05412345000013/10/ABC123`, [
    link(1, { linkType: 'gs1:dpp', href: `${DPP}/b/ABC123`, title: 'Other batch', default: true }),
  ]);
});
afterAll(async () => {
  await node.close();
  await prefixed.close();
  await homesLookalike.close();
});

function expectSameAnswer(compressed: Scan, plain: Scan, what: string): void {
  expect(compressed.status, what).toBe(plain.status);
  expect(compressed.location, what).toBe(plain.location);
  expect(withoutSameAs(compressed.linkHeader), what).toBe(plain.linkHeader);
  expect(compressed.text, what).toBe(plain.text);
}

/** Vector 24 has a path prefix (tested on `prefixed`); every other vector is served at the root. */
const ROOT_VECTORS = VECTORS.map((v, i) => [i + 1, v] as const).filter(([n]) => n !== 24);

describe("GS1's vectors resolve like their uncompressed form", () => {
  it.each(ROOT_VECTORS)('row %i', async (n, v) => {
    const uncompressed = local(v.decompresses_to);
    for (const accept of ['text/html', 'application/json', 'application/linkset+json']) {
      const plain = await scan(node, uncompressed, { accept });
      for (const form of [v.compressed, v.compressed_unoptimised].filter((f): f is string => f !== undefined)) {
        const r = await scan(node, local(form), { accept });
        expectSameAnswer(r, plain, `row ${n} ${form} ${accept}`);
        expect(SAME_AS.exec(r.linkHeader)?.[1], `row ${n} ${form}`).toBe(`${node.url}${uncompressed}`);
        expect(plain.linkHeader).not.toMatch(SAME_AS);
      }
    }
  });

  it('a compressed link redirects to the record of its uncompressed path', async () => {
    const r = await scan(node, '/CxFKk4XBoI1XgkY'); // row 5: /01/09506000134352/10/ABC123
    expect(r.status).toBe(307);
    expect(r.location).toBe(`${DPP}/lot/ABC123`);
    expect(r.linkHeader).toContain(`<${node.url}/01/${GTIN}/10/ABC123>; rel="owl:sameAs"`);
  });

  it('linkType inside the compressed segment (row 38) negotiates like ?linkType=gs1:pip', async () => {
    const r = await scan(node, '/CxFKk4XBoI1XgkfiJYp5E8qXoHz82Lrhp4A');
    expect(r.status).toBe(307);
    // GS1 criterion 14: every key=value pair passes on, linkType included (as uncompressed).
    expect(r.location).toBe(`${DPP}/lot/ABC123/pip?linkType=gs1%3Apip`);
  });

  it('the linkset of a compressed request has the uncompressed URI as its anchor (criterion 8)', async () => {
    const r = await scan(node, '/CxFKk4XBoI1XgkY?linkType=all', { accept: 'application/linkset+json' });
    expect(r.status).toBe(200);
    const doc = JSON.parse(r.text) as { linkset: { anchor: string }[] };
    expect(doc.linkset[0]?.anchor).toBe(`${node.url}/01/${GTIN}/10/ABC123`);
  });

  it('GS1 attributes inside the segment are passed on to the redirect (criterion 14), as uncompressed', async () => {
    const plain = await scan(node, `/01/${GTIN}/10/ABC123?17=261231`);
    const r = await scan(node, '/CxFKk4XBoI1XgkYuf43g'); // row 9
    expect(r.location).toBe(plain.location);
    expect(r.location).toContain('17=261231');
  });

  it('the lossy GS1 encoding of lot 00123 (row 20) resolves lot 00123, not 123', async () => {
    expect((await scan(node, '/CxFKk4XBoAoAew')).location).toBe(`${DPP}/lot/00123`);
    expect((await scan(node, '/CxFKk4XBoIoAJG')).location).toBe(`${DPP}/lot/00123`);
  });

  it('HEAD answers like GET', async () => {
    const res = await fetch(`${node.url}/CxFKk4XBoI1XgkY`, { method: 'HEAD', redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('link')).toContain('rel="owl:sameAs"');
  });

  it("row 24: the sameAs URI keeps the public URL's path prefix", async () => {
    const r = await scan(prefixed, '/CxFKk4XBoI1XgkY', { accept: 'application/json' });
    expect(SAME_AS.exec(r.linkHeader)?.[1]).toBe(
      local(VECTORS[23]!.decompresses_to).replace(/^/, 'https://id.example.com'),
    );
  });

  it("the node's own compressed URIs resolve like their uncompressed form, for generated lots", async () => {
    await fc.assert(
      fc.asyncProperty(
        // "." and ".." are valid lots but no URL client can send them uncompressed (the path
        // collapses them), so the two forms cannot be compared for those two values.
        fc.stringMatching(/^[!%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/).filter((lot) => lot !== '.' && lot !== '..'),
        fc.boolean(),
        async (lot, partial) => {
          const uncompressed = `${node.url}/01/${GTIN}/10/${encodeURIComponent(lot)}`;
          const compressed = compressDigitalLink(uncompressed, { partial });
          const [a, b] = await Promise.all([
            scan(node, local(compressed), { accept: 'application/json' }),
            scan(node, local(uncompressed), { accept: 'application/json' }),
          ]);
          expectSameAnswer(a, b, compressed);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('bad compressed input: a coded 400 naming the position, never 5xx, never 200', () => {
  const json = { accept: 'application/json' };

  it.each([
    ['bad base64url (partial form)', `/01/${GTIN}/EEar%3DSM`, 'IDN_ERR_GS1_COMPRESSED_ALPHABET', 'Character 5'],
    ['a truncated bit stream', '/ARFKk4XBoCCNV4J', 'IDN_ERR_GS1_COMPRESSED_TRUNCATED', 'bit 87'],
    ['a truncated partial segment', `/01/${GTIN}/EEarwS`, 'IDN_ERR_GS1_COMPRESSED_TRUNCATED', 'AI 10'],
    ['a wrong check digit after decompression', '/ARFKk4XBog', 'IDN_ERR_GS1_CHECK_DIGIT', 'check digit is 2'],
    ['an unknown AI after the key', '/ARFKk4XBoJ6A', 'IDN_ERR_GS1_COMPRESSED_UNKNOWN_AI', 'bit 55'],
    ['an unknown AI in the partial form', `/01/${GTIN}/hQ`, 'IDN_ERR_GS1_COMPRESSED_UNKNOWN_AI', 'bit 0'],
    ['two primary keys', '/ARFKk4XBoAAvIuGjEwrbI', 'IDN_ERR_GS1_INVALID_DIGITAL_LINK', '01 and 00'],
    ['an AI twice (binary and query)', '/CxFKk4XBoI1XgkY?10=X', 'IDN_ERR_GS1_INVALID_DIGITAL_LINK', 'twice'],
    ['non-zero padding', '/ARFKk4XBoB', 'IDN_ERR_GS1_COMPRESSED_INVALID', 'padding'],
  ])('%s', async (_why, path, code, words) => {
    const r = await scan(node, path, json);
    expect(r.status).toBe(400);
    const body = JSON.parse(r.text) as { code: string; message: string };
    expect(body.code).toBe(code);
    expect(body.message).toContain(words);
  });

  it('random base64url segments never get a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9_-]{10,40}$/), async (s) => {
        const r = await scan(node, `/${s}`, json);
        expect(r.status).toBeLessThan(500);
        if (SAME_AS.test(r.linkHeader)) expect([307, 404, 400]).toContain(r.status);
      }),
      { numRuns: 60 },
    );
  });
});

describe('one-segment QR paths are not shadowed', () => {
  it.each(['/88.100.5', '/products', '/IDNODE', '/88', '/favicon.ico'])(
    '%s answers as before, without sameAs',
    async (p) => {
      const r = await scan(node, p, { accept: 'application/json' });
      expect(r.linkHeader).not.toMatch(SAME_AS);
      expect(r.text).not.toContain('IDN_ERR_GS1_');
    },
  );

  it('the homed prefix record /88.100.5 still resolves', async () => {
    const r = await scan(node, '/88.100.5?noredirect', { accept: 'text/html' });
    expect(r.status).toBe(200);
  });

  it('a homed prefix that reads as a compressed GTIN link answers as the prefix', async () => {
    const r = await scan(homesLookalike, '/ARFKk4XBoA', { accept: 'application/json' });
    expect(r.linkHeader).not.toMatch(SAME_AS);
    const other = await scan(node, '/ARFKk4XBoA', { accept: 'application/json' });
    expect(other.linkHeader).toMatch(SAME_AS);
  });

  it('/{prefix}/{suffix} paths never reach the compressed route', async () => {
    await create(node, '88.100.5/ARFKk4XBoA', [
      link(1, { linkType: 'gs1:pip', href: `${DPP}/handle`, title: 'A handle', default: true }),
    ]);
    const r = await scan(node, '/88.100.5/ARFKk4XBoA');
    expect(r.location).toBe(`${DPP}/handle`);
    expect(r.linkHeader).not.toMatch(SAME_AS);
  });

  it('a dangling AI under /01/ keeps the GS1 route error', async () => {
    const r = await scan(node, `/01/${GTIN}/21`, { accept: 'application/json' });
    expect(r.status).toBe(400);
    expect((JSON.parse(r.text) as { code: string }).code).toBe('IDN_ERR_GS1_UNSUPPORTED_PATH');
  });
});
