import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEV_SECRET, startTopology, stopTopology } from '../../../deploy/local/topology.ts';
import { basicAuth, putRecord, urlValue } from '../helpers/test-node.ts';

/**
 * The process-based topology (the one `npm run topology` starts) end to end: register on a
 * secondary, scan through the caching node, then kill the upstream: what was cached keeps
 * resolving, marked stale; what was not fails fast and clearly.
 */

let dir = '';
afterAll(async () => {
  if (dir) {
    await stopTopology(dir);
    await rm(dir, { recursive: true, force: true });
  }
});

/**
 * A base port whose 4 HTTP and 4 gRPC neighbours are free (the topology uses base+i and
 * base+1000+i), below the ephemeral range so other tests' sockets do not land on them.
 */
async function basePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 9_000);
    const ports = [0, 1, 2, 3].flatMap((i) => [base + i, base + 1000 + i]);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range for the topology');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

describe('local topology', () => {
  it('serves scans through the caching node and keeps cached ones alive when the upstream nodes die', async () => {
    dir = await mkdtemp(join(tmpdir(), 'idnode-topology-'));
    // Short cache life so that "expired but within the stale window" is reached within the test.
    process.env.IDNODE_CACHE_MAX_TTL_S = '1';
    process.env.IDNODE_CACHE_STALE_WINDOW_S = '120';
    const nodes = await startTopology(dir, await basePort());
    const by = Object.fromEntries(nodes.map((n) => [n.name, n]));
    const auth = basicAuth('300:88.100.5/ADMIN', DEV_SECRET);
    const put = await putRecord(by.secA!.http, '88.100.5/TOPO-1', [urlValue(1, 'https://p.example/topo-1')], auth);
    expect(put.status).toBe(201);
    await putRecord(by.secA!.http, '88.100.5/TOPO-2', [urlValue(1, 'https://p.example/topo-2')], auth);

    const first = await fetch(`${by.cache!.http}/api/handles/88.100.5/TOPO-1`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-idnode-source')).toBe('upstream');
    const second = await fetch(`${by.cache!.http}/api/handles/88.100.5/TOPO-1`);
    expect(second.headers.get('x-idnode-source')).toBe('cache');
    // The trace `idnode resolve --trace` prints: B's stages, the hop to the top-level (delegation
    // -> referral to A), the hop to A and A's store, each with its time. B has not learnt the referral yet.
    const traced = await fetch(`${by.secB!.http}/api/handles/88.100.5/TOPO-2?trace=true`);
    const spans = ((await traced.json()) as { trace: { node?: string; stage: string; outcome: string; ms: number }[] })
      .trace;
    expect(spans.some((s) => s.node === 'top' && s.stage === 'delegation' && s.outcome === 'referral')).toBe(true);
    expect(spans.some((s) => s.node === 'secA' && s.stage === 'store')).toBe(true);
    expect(spans.filter((s) => s.stage === 'hop').length).toBeGreaterThanOrEqual(2);
    for (const s of spans) expect(s.ms).toBeGreaterThanOrEqual(0);
    // Now B knows where 88.100 lives: the next lookup goes straight to A.
    expect((await fetch(`${by.secB!.http}/api/handles/88.100.5/TOPO-1`)).status).toBe(200);

    // The caching node remembers the referral to A, so A is as much its upstream as the top is.
    process.kill(by.top!.pid, 'SIGKILL');
    process.kill(by.secA!.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    const stale = await fetch(`${by.cache!.http}/api/handles/88.100.5/TOPO-1`);
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-idnode-source')).toBe('stale');
    const uncached = await fetch(`${by.cache!.http}/api/handles/88.100.5/NEVER-CACHED`);
    expect([502, 503, 504]).toContain(uncached.status);
    expect(((await uncached.json()) as { code: string }).code).toMatch(/^IDN_ERR_/);

    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { nodes: { pid: number }[] };
    expect(await stopTopology(dir)).toBe(4);
    for (const n of state.nodes) expect(() => process.kill(n.pid, 0)).toThrow();
  }, 120_000);
});
