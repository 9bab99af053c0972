import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandleClient } from '../../src/cli/handle-client/client.ts';
import { freePort } from '../helpers/spawn-node.ts';
import { SECRET, startTopology, type Topology } from '../federation/topology.ts';

/**
 * A change made over the native protocol on a secondary is synced upward like any other: real
 * processes (top-level, secondary A with a Handle port, secondary B) over gRPC with mTLS. The
 * top-level's synced copy is what it answers from once A goes silent.
 */

let t: Topology;
let client: HandleClient;
const KEY = { handle: '88.100.5/ADMIN', index: 300, secret: SECRET };
const H = '88.100.5/NATIVE-SYNC';
const utf8 = (s: string) => Buffer.from(s, 'utf8');

beforeAll(async () => {
  const handlePort = await freePort();
  t = await startTopology([], { IDNODE_HANDLE_PORT: String(handlePort) });
  client = new HandleClient({ host: '127.0.0.1', port: handlePort, udpWaitsMs: [300, 300] });
}, 90_000);
afterAll(async () => {
  await t?.close();
});

describe('native protocol changes on a secondary', () => {
  it('reach the top-level node through the sync stream (its synced copy answers once A is gone)', async () => {
    const created = await client.create(
      H,
      [
        { index: 1, type: 'URL', data: utf8('https://passport.example/native-1') },
        { index: 2, type: 'EMAIL', data: utf8('dpp@example.org') },
      ],
      KEY,
    );
    expect(created.rc).toBe(1);
    expect(
      (await client.modify(H, [{ index: 1, type: 'URL', data: utf8('https://passport.example/native-2') }], KEY)).rc,
    ).toBe(1);
    expect((await client.remove(H, [2], KEY)).rc).toBe(1);
    // Give the sync stream a moment, then stop A: the top-level answers from what it was sent.
    const deadline = Date.now() + 30_000;
    await new Promise((r) => setTimeout(r, 1_500));
    await t.a.stop('SIGKILL');
    let body: { values?: { index: number; data: { value: unknown } }[] } = {};
    let authoritative: string | null = null;
    while (Date.now() < deadline) {
      const res = await fetch(`${t.top.url}/api/handles/${H}?auth=true`);
      authoritative = res.headers.get('x-idnode-authoritative');
      body = (await res.json()) as typeof body;
      if (res.status === 200 && authoritative === 'false') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(authoritative).toBe('false');
    expect(body.values?.filter((v) => v.index < 100).map((v) => [v.index, v.data.value])).toEqual([
      [1, 'https://passport.example/native-2'],
    ]);
  }, 60_000);
});
