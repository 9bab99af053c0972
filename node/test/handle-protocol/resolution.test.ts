import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord } from '../helpers/test-node.ts';
import { startHandleNode, type HandleTestNode } from './handle-node.ts';

let node: HandleTestNode;
const H = '88.100.5/BAT-1';

beforeAll(async () => {
  node = await startHandleNode(['88.100.5']);
  const put = await putRecord(
    node.url,
    H,
    [
      { index: 1, type: 'URL', data: 'https://example.org/bat/1', ttl: 3600 },
      { index: 2, type: 'EMAIL', data: 'ops@example.org', ttl: 120 },
      { index: 3, type: 'SERIAL', data: 'S-0001', access: 'authority' },
      { index: 4, type: 'URL.ALT', data: 'https://example.org/alt' },
    ],
    node.adminAuth('88.100.5'),
  );
  expect(put.status).toBe(201);
});
afterAll(() => node.close());

const text = (b: Buffer) => b.toString('utf8');

describe.each([
  ['tcp', false],
  ['udp', true],
] as const)('anonymous resolution over %s', (via, udp) => {
  it('returns the public values only, with their TTLs and the stored timestamps', async () => {
    const a = await node.client({ udp }).resolve(H);
    expect(a.via).toBe(via);
    expect(a.rc).toBe(1);
    expect(a.handle).toBe(H);
    const values = a.values ?? [];
    // 100: the HS_ADMIN the node gave the creator (public, as Handle keeps it).
    expect(values.map((v) => v.index)).toEqual([1, 2, 4, 100]);
    expect(values.map((v) => v.ttl)).toEqual([3600, 120, 86_400, 86_400]);
    expect(text(values[0]!.data)).toBe('https://example.org/bat/1');
    // Public read bit set; the restricted value (index 3) is not there at all.
    expect(values.every((v) => (v.permissions & 0x02) !== 0)).toBe(true);
    const rest = (await (await fetch(`${node.url}/api/handles/${H}`)).json()) as {
      values: { index: number; timestamp: string }[];
    };
    for (const v of values) {
      const r = rest.values.find((x) => x.index === v.index);
      expect(v.timestamp).toBe(Math.floor(Date.parse(r!.timestamp) / 1000));
    }
  });

  it('filters by type (X. matches X and X.*) and by index', async () => {
    const c = node.client({ udp });
    expect(((await c.resolve(H, { types: ['URL.'] })).values ?? []).map((v) => v.index)).toEqual([1, 4]);
    expect(((await c.resolve(H, { types: ['email'] })).values ?? []).map((v) => v.index)).toEqual([2]);
    expect(((await c.resolve(H, { indexes: [4] })).values ?? []).map((v) => v.index)).toEqual([4]);
    // A filter that matches only the restricted value: Handle's 200 values not found.
    expect((await c.resolve(H, { indexes: [3] })).rc).toBe(200);
  });

  it('answers an unknown handle with 100 (handle not found)', async () => {
    const a = await node.client({ udp }).resolve('88.100.5/NOPE');
    expect(a.rc).toBe(100);
  });

  it('answers a prefix this node does not home with 301 (not responsible), naming it', async () => {
    const a = await node.client({ udp }).resolve('99.1/X');
    expect(a.rc).toBe(301);
    expect(a.message).toContain('99.1');
  });

  it('answers an invalid handle with 102', async () => {
    const a = await node.client({ udp }).resolve('88.100.5/a\u0000b');
    expect(a.rc).toBe(102);
  });

  it('accepts a prefix as 88.100.5 and as 0.NA/88.100.5, with the digest of the request', async () => {
    const c = node.client({ udp });
    const a = await c.resolve('88.100.5');
    const b = await c.resolve('0.NA/88.100.5');
    expect([a.rc, b.rc]).toEqual([1, 1]);
    expect(a.values?.map((v) => v.type)).toContain('HS_ADMIN');
    expect(c.constructor.name).toBe('HandleClient');
    const { HandleClient } = await import('../../src/cli/handle-client/client.ts');
    expect(HandleClient.digestMatches(a)).toBe(true);
    // Echoed opcode, future expiration, AT set by this primary.
    expect(a.response.opCode).toBe(1);
    expect(a.response.expiration).toBeGreaterThan(Date.now() / 1000);
    expect((a.response.flags & 0x80000000) >>> 0).not.toBe(0);
  });
});

describe('get site info', () => {
  it('answers with this node s HS_SITE (primary, TCP and UDP interfaces)', async () => {
    const a = await node.client().siteInfo();
    expect(a.rc).toBe(1);
    const { readSite } = await import('./site-reader.ts');
    const site = readSite(a.body);
    expect(site.primary).toBe(true);
    expect(site.servers[0]?.address).toBe('127.0.0.1');
    expect(site.servers[0]?.interfaces).toEqual([
      { type: 3, protocol: 1, port: 2641 },
      { type: 2, protocol: 0, port: 2641 },
    ]);
  });
});

describe('HS_SITE on the homed prefix record', () => {
  it('is written from the configuration once, and a client looking up the prefix finds this node', async () => {
    const { bootstrapPrefixSites } = await import('../../src/bootstrap/homed-prefix-site.ts');
    const { encodeSiteInfo } = await import('../../src/handle-protocol/site-info.ts');
    const { readSite } = await import('./site-reader.ts');
    const site = encodeSiteInfo({ host: '192.0.2.10', port: 2641, httpPort: 8000, serial: 1, description: 'x' });
    await bootstrapPrefixSites(node.ctx.records, ['88.100.5'], site);
    const before = await node.ctx.store.get('0.na/88.100.5');
    await bootstrapPrefixSites(node.ctx.records, ['88.100.5'], site);
    expect((await node.ctx.store.get('0.na/88.100.5'))?.version).toBe(before?.version);
    const a = await node.client().resolve('0.NA/88.100.5', { types: ['HS_SITE'] });
    expect(a.rc).toBe(1);
    const s = readSite(a.values?.[0]?.data ?? Buffer.alloc(0));
    expect([s.primary, s.servers[0]?.address]).toEqual([true, '192.0.2.10']);
    expect(s.servers[0]?.interfaces).toContainEqual({ type: 2, protocol: 2, port: 8000 });
  });
});
