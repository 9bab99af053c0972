import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminData } from '../../src/cli/handle-client/wire.ts';
import { TEST_SECRET } from '../helpers/test-node.ts';
import { startHandleNode, type HandleTestNode } from './handle-node.ts';

let node: HandleTestNode;
const KEY = { handle: '88.100.5/ADMIN', index: 300, secret: TEST_SECRET };
const H = '88.100.5/NATIVE-1';
const utf8 = (s: string) => Buffer.from(s, 'utf8');

beforeAll(async () => {
  node = await startHandleNode(['88.100.5']);
});
afterAll(() => node.close());

const rest = async (handle: string) => {
  const res = await fetch(`${node.url}/api/handles/${handle}`);
  return {
    status: res.status,
    body: (await res.json()) as {
      responseCode: number;
      values?: { index: number; type: string; data: { value: unknown } }[];
    },
  };
};
const qr = (handle: string) => fetch(`${node.url}/${handle}`, { redirect: 'manual' });

describe('administration over the native protocol, with secret-key challenge-response', () => {
  it('creates, adds, modifies, removes and deletes; every change is visible over REST and the QR route at once', async () => {
    const c = node.client();
    const created = await c.create(
      H,
      [
        { index: 1, type: 'URL', data: utf8('https://example.org/one') },
        { index: 100, type: 'HS_ADMIN', data: adminData('88.100.5/ADMIN', 300) },
      ],
      KEY,
    );
    expect([created.rc, created.opCode]).toEqual([1, 100]);
    expect((await rest(H)).body.values?.map((v) => v.index)).toEqual([1, 100]);
    const scan = await qr(H);
    expect(scan.status).toBe(302);
    expect(scan.headers.get('location')).toBe('https://example.org/one');

    expect((await c.add(H, [{ index: 2, type: 'EMAIL', data: utf8('a@example.org') }], KEY)).rc).toBe(1);
    // ADD on an index in use: 201 value already exists.
    expect((await c.add(H, [{ index: 2, type: 'EMAIL', data: utf8('b@example.org') }], KEY)).rc).toBe(201);
    expect((await c.modify(H, [{ index: 1, type: 'URL', data: utf8('https://example.org/two') }], KEY)).rc).toBe(1);
    // MODIFY of a missing index: 200 values not found.
    expect((await c.modify(H, [{ index: 9, type: 'URL', data: utf8('https://x.example') }], KEY)).rc).toBe(200);
    expect((await qr(H)).headers.get('location')).toBe('https://example.org/two');
    const after = (await rest(H)).body.values ?? [];
    expect(after.map((v) => [v.index, v.data.value])).toEqual([
      [1, 'https://example.org/two'],
      [2, 'a@example.org'],
      [100, { handle: '88.100.5/ADMIN', index: 300, permissions: '111111111111' }],
    ]);
    expect((await c.remove(H, [2], KEY)).rc).toBe(1);
    expect((await rest(H)).body.values?.map((v) => v.index)).toEqual([1, 100]);
    // Resolution over the native protocol sees it too (no stale cache).
    expect((await c.resolve(H)).values?.map((v) => v.index)).toEqual([1, 100]);

    const deleted = await c.delete(H, KEY);
    expect([deleted.rc, deleted.opCode]).toEqual([1, 101]);
    expect((await rest(H)).status).toBe(404);
    expect((await qr(H)).status).toBe(410);
    expect((await c.resolve(H)).rc).toBe(100);
    // Handle semantics: the name may be created again.
    expect((await c.create(H, [{ index: 1, type: 'URL', data: utf8('https://example.org/again') }], KEY)).rc).toBe(1);
  });

  it('refuses a wrong secret with 403 and writes nothing', async () => {
    const a = await node.client().create('88.100.5/WRONG', [{ index: 1, type: 'URL', data: utf8('https://e.org') }], {
      ...KEY,
      secret: 'not-the-secret',
    });
    expect(a.rc).toBe(403);
    expect(a.opCode).toBe(100);
    expect((await rest('88.100.5/WRONG')).status).toBe(404);
  });

  it('challenges with 402, RD and the digest of the request, a fresh session id', async () => {
    const { bodyHandle, OP } = await import('../../src/cli/handle-client/wire.ts');
    const { HandleClient } = await import('../../src/cli/handle-client/client.ts');
    const first = await node.client().send(OP.DELETE, bodyHandle(H), { udp: false });
    expect(first.rc).toBe(402);
    expect(first.response.envelope.sessionId).not.toBe(0);
    expect(HandleClient.digestMatches(first)).toBe(true);
    expect(first.body.readUInt32BE(0)).toBe(16);
  });

  it('answers an answer to no pending challenge with 405', async () => {
    const { bodyAnswer, OP } = await import('../../src/cli/handle-client/wire.ts');
    const a = await node.client().send(OP.CHALLENGE_ANSWER, bodyAnswer(KEY.handle, 300, Buffer.alloc(17)), {
      sessionId: 12345,
      udp: false,
    });
    expect(a.rc).toBe(405);
  });

  it('answers an administration request for a prefix this node does not home with 301', async () => {
    const c = node.client();
    const v = [{ index: 1, type: 'URL', data: utf8('https://e.org') }];
    expect((await c.create('99.9/X', v, KEY)).rc).toBe(301);
  });
});
