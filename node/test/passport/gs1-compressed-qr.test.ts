import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dl from 'digital-link.js';
import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decompressDigitalLink } from '../../src/passport/gs1-compression/index.ts';
import { startTestNode, type TestNode } from '../helpers/test-node.ts';
import { jsonLines, runCli } from '../cli/cli-helpers.ts';
import { create, link, scan } from './passport-helpers.ts';

/**
 * QR codes with compressed GS1 Digital Link URLs (`/api/qr/...?compressed=true`, `idnode qr --compressed`):
 * the image decodes (jsQR) to a URL that GS1's rules decompress to the identifier's Digital Link,
 * that an independent decoder (digital-link.js) reads the same, and that resolves like it.
 */

// jsqr is CommonJS with a `default` in its types; Node hands the function itself to an ESM default import.
const jsQR = ((jsqrModule as unknown as { default?: unknown }).default ?? jsqrModule) as typeof jsqrModule.default;
const { Utils } = dl as unknown as { Utils: { decompressWebUri(uri: string): string } };

const GTIN = '09506000134352';
const DPP = 'https://passport.example.com';
let node: TestNode;
let dir: string;

function decodePng(buf: Buffer): string | undefined {
  const png = PNG.sync.read(buf);
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

async function qrImage(path: string): Promise<{ status: number; body: Buffer; text: string }> {
  const res = await fetch(`${node.url}/api/qr/${path}`);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, body, text: body.toString('utf8') };
}

beforeAll(async () => {
  node = await startTestNode();
  dir = await mkdtemp(join(tmpdir(), 'idnode-gs1qr-'));
  await create(node, `88.100.5/01/${GTIN}/10/ABC123`, [
    link(1, { linkType: 'gs1:dpp', href: `${DPP}/lot/ABC123`, title: 'Batch passport', default: true }),
  ]);
});
afterAll(async () => {
  await node.close();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /api/qr/{identifier}?compressed=true', () => {
  it('encodes a compressed URL that decompresses with GS1 rules and resolves like the Digital Link', async () => {
    const r = await qrImage(`88.100.5/01/${GTIN}/10/ABC123?compressed=true&format=png`);
    expect(r.status).toBe(200);
    const url = decodePng(r.body) ?? '';
    expect(url).toBe(`${node.url}/CxFKk4XBoI1XgkY`);
    const uncompressed = `${node.url}/01/${GTIN}/10/ABC123`;
    expect(decompressDigitalLink(url).uncompressed).toBe(uncompressed);
    expect(Utils.decompressWebUri(url)).toBe(uncompressed);
    const [scanned, plain] = await Promise.all([
      scan(node, url.slice(node.url.length)),
      scan(node, `/01/${GTIN}/10/ABC123`),
    ]);
    expect(scanned.status).toBe(307);
    expect(scanned.location).toBe(plain.location);
  });

  it('carries a shorter URL than the Digital Link, in a QR code no larger than the Handle-style one', async () => {
    const id = `88.100.5/01/${GTIN}/10/LOT-2025-ABCDEFGHIJ/21/SERIAL-00000000001`;
    const png = await qrImage(`${id}?compressed=true&format=png`);
    const url = decodePng(png.body) ?? '';
    expect(url.length).toBeLessThan(decompressDigitalLink(url).uncompressed.length);
    // qrcode packs the GTIN's digits in numeric mode, so short element strings can need the same version.
    const modules = async (q: string) => Number(/viewBox="0 0 (\d+) /.exec((await qrImage(`${id}${q}`)).text)?.[1]);
    expect(await modules('?compressed=true')).toBeLessThanOrEqual(await modules(''));
  });

  it('without compressed=true the code still carries the Handle-style URL', async () => {
    const r = await qrImage(`88.100.5/01/${GTIN}/10/ABC123?format=png`);
    expect(decodePng(r.body)).toBe(`${node.url}/88.100.5/01/${GTIN}/10/ABC123`);
  });

  it.each([
    ['not a GS1 identifier', '88.100.5/BAT-1?compressed=true', 'IDN_ERR_INVALID_QR_REQUEST'],
    ["not under the node's GS1 prefix", `88.100.6/01/${GTIN}?compressed=true`, 'IDN_ERR_INVALID_QR_REQUEST'],
    ['a wrong check digit', '88.100.5/01/09506000134353?compressed=true', 'IDN_ERR_GS1_CHECK_DIGIT'],
    ['compressed neither true nor false', `88.100.5/01/${GTIN}?compressed=yes`, 'IDN_ERR_INVALID_QR_REQUEST'],
  ])('%s: 400', async (_why, path, code) => {
    const r = await qrImage(path);
    expect(r.status).toBe(400);
    expect((JSON.parse(r.text) as { code: string }).code).toBe(code);
  });
});

describe('idnode qr --compressed', () => {
  it('writes a PNG of the compressed URL on --base and reports the Digital Link it stands for', async () => {
    const file = join(dir, 'label.png');
    const args = ['qr', `88.100.5/01/${GTIN}/10/ABC123`, '--compressed', '--format', 'png', '--out', file];
    const r = await runCli([...args, '--base', 'https://id.example.com', '--json']);
    expect(r.code).toBe(0);
    expect(jsonLines(r)[0]).toMatchObject({
      ok: true,
      url: 'https://id.example.com/CxFKk4XBoI1XgkY',
      uncompressed: `https://id.example.com/01/${GTIN}/10/ABC123`,
    });
    const url = decodePng(await readFile(file)) ?? '';
    expect(url).toBe('https://id.example.com/CxFKk4XBoI1XgkY');
    expect(decompressDigitalLink(url).uncompressed).toBe(`https://id.example.com/01/${GTIN}/10/ABC123`);
  });

  it('refuses an identifier that is no GS1 Digital Link path (exit 2, with the code)', async () => {
    const r = await runCli(['qr', '88.100.5/BAT-1', '--compressed', '--base', 'https://id.example.com', '--json']);
    expect(r.code).toBe(2);
    expect(jsonLines(r)[0]).toMatchObject({ ok: false, code: 'IDN_ERR_INVALID_QR_REQUEST' });
  });
});
