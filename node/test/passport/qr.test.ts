import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSection } from '../../src/config-kit/section.ts';
import { passportSection } from '../../src/passport/config.ts';
import { qrFor } from '../../src/passport/qr.ts';
import { startTestNode, type TestNode } from '../helpers/test-node.ts';

/** QR codes decode (jsQR) to the identifier's resolver URL: PNG via pngjs, SVG through a tiny rasteriser. */

// jsqr is CommonJS with a `default` in its types; Node hands the function itself to an ESM default import.
const jsQR = ((jsqrModule as unknown as { default?: unknown }).default ?? jsqrModule) as typeof jsqrModule.default;

let node: TestNode;
let publicNode: TestNode;
const PUBLIC_URL = 'https://id.battery-maker.example';

beforeAll(async () => {
  node = await startTestNode();
  // The settings main.ts gets from IDNODE_PUBLIC_URL (with a trailing slash, which the section drops).
  const passport = readSection(passportSection, { IDNODE_PUBLIC_URL: `${PUBLIC_URL}/` }).value;
  publicNode = await startTestNode(undefined, { passport });
});
afterAll(async () => {
  await node.close();
  await publicNode.close();
});

function decodePng(buf: Buffer): string | undefined {
  const png = PNG.sync.read(buf);
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

/** qrcode's SVG is one path of horizontal runs ("M x y.5 h n m dx dy h n ..."): draw them, 8 px a module. */
function decodeSvg(svg: string): string | undefined {
  const n = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)?.[1]);
  const d = /<path stroke="[^"]+" d="([^"]+)"/.exec(svg)?.[1] ?? '';
  const scale = 8;
  const size = n * scale;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  let x = 0;
  let y = 0;
  for (const [, cmd, a, b] of d.matchAll(/([MmHh])(-?[\d.]+)(?:\s+(-?[\d.]+))?/g)) {
    if (cmd === 'M') [x, y] = [Number(a), Number(b)];
    else if (cmd === 'm') [x, y] = [x + Number(a), y + Number(b)];
    else {
      const len = Number(a);
      for (let px = x * scale; px < (x + len) * scale; px++) {
        for (let py = Math.floor(y) * scale; py < (Math.floor(y) + 1) * scale; py++) {
          data.fill(0, (py * size + px) * 4, (py * size + px) * 4 + 3);
        }
      }
      x += len;
    }
  }
  return jsQR(data, size, size)?.data;
}

describe('GET /api/qr/{identifier}', () => {
  it('PNG decodes to the resolver URL', async () => {
    const res = await fetch(`${node.url}/api/qr/88.100.5/BAT-2025-000001?format=png&size=300`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(PNG.sync.read(png).width).toBe(300);
    expect(decodePng(png)).toBe(`${node.url}/88.100.5/BAT-2025-000001`);
  });

  it('SVG (the default) decodes to the resolver URL', async () => {
    const res = await fetch(`${node.url}/api/qr/88.100.5/BAT-2025-000001`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const svg = await res.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="256" height="256"/);
    expect(decodeSvg(svg)).toBe(`${node.url}/88.100.5/BAT-2025-000001`);
  });

  it('IDNODE_PUBLIC_URL is the base printed in the code', async () => {
    const res = await fetch(`${publicNode.url}/api/qr/88.100.5/BAT-2025-000001?format=png`);
    expect(decodePng(Buffer.from(await res.arrayBuffer()))).toBe(`${PUBLIC_URL}/88.100.5/BAT-2025-000001`);
  });

  it('non-ASCII suffixes are percent-encoded in the URL', async () => {
    const res = await fetch(`${node.url}/api/qr/88.100.5/${encodeURIComponent('电池-1')}?format=png`);
    expect(decodePng(Buffer.from(await res.arrayBuffer()))).toBe(
      `${node.url}/88.100.5/${encodeURIComponent('电池-1')}`,
    );
  });

  it('a prefix alone is the QR code of its prefix record', async () => {
    const res = await fetch(`${node.url}/api/qr/88.100.5?format=png`);
    expect(decodePng(Buffer.from(await res.arrayBuffer()))).toBe(`${node.url}/0.NA/88.100.5`);
  });

  it.each([
    ['an unknown format', '/api/qr/88.100.5/X?format=gif', 'IDN_ERR_INVALID_QR_REQUEST'],
    ['a size too small', '/api/qr/88.100.5/X?size=10', 'IDN_ERR_INVALID_QR_REQUEST'],
    ['a size too large', '/api/qr/88.100.5/X?size=5000', 'IDN_ERR_INVALID_QR_REQUEST'],
    ['a size that is not a number', '/api/qr/88.100.5/X?size=big', 'IDN_ERR_INVALID_QR_REQUEST'],
    ['a malformed identifier', '/api/qr/88.100.5/a%20b', 'IDN_ERR_WHITESPACE'],
  ])('%s: 400 with its code', async (_name, path, code) => {
    const res = await fetch(`${node.url}${path}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe(code);
  });
});

describe('qrFor (shared with the CLI)', () => {
  it('makes both formats of one URL', async () => {
    const url = 'https://id.example/88.100.5/BAT-2025-000001';
    const png = await qrFor(url, 'png', 128);
    expect(png.contentType).toBe('image/png');
    expect(decodePng(png.body as Buffer)).toBe(url);
    const svg = await qrFor(url, 'svg', 128);
    expect(decodeSvg(svg.body as string)).toBe(url);
  });
});
