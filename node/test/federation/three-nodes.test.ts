import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, putRecord, startTopology, waitReady, type Topology } from './topology.ts';

/**
 * Three real processes over real gRPC with mTLS on 127.0.0.1: top-level (88), secondary A
 * (88.100, enterprise 88.100.5 homed on A), secondary B (88.200); plus a caching node.
 */

let t: Topology;

beforeAll(async () => {
  t = await startTopology(['cache']);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const get = (url: string) => fetch(url);

/** Status, x-idnode-source and x-idnode-authoritative of an answer. */
async function provenance(url: string): Promise<[number, string | null, string | null]> {
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  return [res.status, res.headers.get('x-idnode-source'), res.headers.get('x-idnode-authoritative')];
}

describe('three-node federation', () => {
  it('registers identifiers on A and resolves them through B by referral, then by the referral cache', async () => {
    expect(await putRecord(t.a, '88.100.5/BAT-1', 'https://passport.example/bat-1')).toBe(201);
    expect(await putRecord(t.a, '88.100.5/BAT-2', 'https://passport.example/bat-2')).toBe(201);

    const first = await get(`${t.b.url}/api/handles/88.100.5/BAT-1`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-idnode-source')).toBe('upstream');
    expect(first.headers.get('x-idnode-authoritative')).toBe('true');
    const body = (await first.json()) as { handle: string; values: { data: { value: string } }[] };
    expect(body.handle).toBe('88.100.5/BAT-1');
    expect(body.values[0]!.data.value).toBe('https://passport.example/bat-1');
    expect(await metric(t.b, 'idnode_referrals_total', 'kind="followed"')).toBe(1);
    const upstreamCalls = await metric(t.b, 'idnode_peer_requests_total', 'kind="stream"');

    // Another identifier under the same prefix: straight to A, no round trip to the top-level.
    const second = await get(`${t.b.url}/api/handles/88.100.5/BAT-2`);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-idnode-source')).toBe('upstream');
    expect(await metric(t.b, 'idnode_referrals_total', 'kind="followed"')).toBe(1);
    expect(await metric(t.b, 'idnode_referrals_total', 'kind="cached_route"')).toBe(1);
    // One request (to A), not two (top-level + A).
    expect(await metric(t.b, 'idnode_peer_requests_total', 'kind="stream"')).toBe(upstreamCalls + 1);

    // Repeated: the resolution cache answers.
    const again = await get(`${t.b.url}/api/handles/88.100.5/BAT-1`);
    expect(again.headers.get('x-idnode-source')).toBe('cache');
  });

  it('resolves through the top-level node (referral followed there) and says not found for missing ones', async () => {
    const res = await get(`${t.top.url}/api/handles/88.100.5/BAT-1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-idnode-source')).toBe('upstream');
    expect(res.headers.get('x-idnode-authoritative')).toBe('true');
    expect((await get(`${t.b.url}/api/handles/88.100.5/NOPE`)).status).toBe(404);
    expect((await get(`${t.top.url}/api/handles/88.100.5/NOPE`)).status).toBe(404);
  });

  it('resolves the top-level node’s own identifiers from a secondary, and auth=true bypasses caches', async () => {
    expect(await putRecord(t.top, '88/ROOT-1', 'https://root.example/1')).toBe(201);
    const res = await get(`${t.a.url}/api/handles/88/ROOT-1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-idnode-source')).toBe('upstream');
    const auth = await get(`${t.a.url}/api/handles/88/ROOT-1?auth=true`);
    expect(auth.headers.get('x-idnode-source')).toBe('upstream');
  });

  it('a caching node answers from upstream and refuses writes naming the upstream', async () => {
    const cache = await t.start('cache', {
      IDNODE_ROLE: 'caching',
      IDNODE_UPSTREAM: `127.0.0.1:${t.top.grpcPort}`,
      IDNODE_TLS_DIR: `${t.certs}/cache`,
    });
    await waitReady(cache);
    const res = await get(`${cache.url}/api/handles/88.200/X-1`);
    expect(res.status).toBe(404);
    expect(await putRecord(t.b, '88.200/X-1', 'https://b.example/x-1')).toBe(201);
    const found = await get(`${cache.url}/api/handles/88.100.5/BAT-2`);
    expect(found.status).toBe(200);
    expect(found.headers.get('x-idnode-source')).toBe('upstream');
    const put = await fetch(`${cache.url}/api/handles/88.100.5/BAT-9`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'https://x.example' }] }),
    });
    expect(put.status).toBe(400);
    expect(await put.text()).toContain(`127.0.0.1:${t.top.grpcPort}`);
  });

  it('answers from the synced copy, marked not authoritative, when A stops reporting (emergency takeover)', async () => {
    // Wait until the sync stream delivered A's records, then stop A.
    const deadline = Date.now() + 10_000;
    await t.a.stop('SIGKILL');
    let res: Response | undefined;
    while (Date.now() < deadline) {
      res = await get(`${t.top.url}/api/handles/88.100.5/BAT-2?auth=true`);
      if (res.status === 200 && res.headers.get('x-idnode-authoritative') === 'false') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(res?.status).toBe(200);
    expect(res?.headers.get('x-idnode-authoritative')).toBe('false');
    expect(res?.headers.get('x-idnode-source')).toBe('store');
  });

  it('a cached takeover answer stays not authoritative, and is dropped once A reports again', async () => {
    // BAT-1 sat in the top-level's cache as A's authoritative answer; A is silent now, so the top
    // answers from its synced copy, not from that cached answer, and caches the takeover answer as such.
    const api = `${t.top.url}/api/handles/88.100.5/BAT-1`;
    expect(await provenance(api)).toEqual([200, 'store', 'false']);
    expect(await provenance(api)).toEqual([200, 'cache', 'false']);
    expect(await provenance(`${t.top.url}/88.100.5/BAT-1`)).toEqual([302, 'cache', 'false']);

    const a = await t.start('secA', {
      IDNODE_ROLE: 'secondary',
      IDNODE_PREFIXES: '88.100,88.100.5',
      IDNODE_UPSTREAM: `127.0.0.1:${t.top.grpcPort}`,
      IDNODE_TLS_DIR: `${t.certs}/secA`,
    });
    await waitReady(a); // ready once registered with the top-level: its heartbeat is back
    // The cached takeover answer is gone: the next answer is A's own again, and is cached as such.
    expect(await provenance(api)).toEqual([200, 'upstream', 'true']);
    expect(await provenance(api)).toEqual([200, 'cache', 'true']);
    expect(await provenance(`${t.top.url}/88.100.5/BAT-1`)).toEqual([302, 'cache', 'true']);
  }, 30_000);
});
