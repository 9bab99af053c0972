import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DelegationRegistry } from '../../../prefix-registry/src/index.ts';
import { SecretKeyring } from '../../src/auth/seal/keyring.ts';
import { createAppContext } from '../../src/app.ts';
import { bootstrapHomedPrefixes } from '../../src/bootstrap/homed-prefix-records.ts';
import { NodeHealthTracker } from '../../src/federation/node-health.ts';
import { buildServer } from '../../src/http/server.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { Store } from '../../src/store/store.ts';
import { HomedPrefixes } from '../../src/authority/homed-prefixes.ts';
import { ChangeFeed } from '../../src/store/change-feed.ts';
import { RecordService } from '../../src/write/record-service.ts';
import { registryPrincipal } from '../../src/write/principal.ts';
import type { ChangeSet } from '../../src/records/change-set.ts';
import { faultyStore, type FaultyStore } from '../helpers/faulty-store.ts';
import { putRecord, startTestNode, TEST_SECRET, urlValue, type TestNode } from '../helpers/test-node.ts';

/**
 * Provenance over real HTTP: every resolution route (JSON API, QR, GS1 Digital Link) x every
 * outcome (found, not found, gone, referral, error, refused input), asked twice (the second time
 * cached where answers are cached): `x-idnode-source` and `x-idnode-authoritative` are always
 * there and always true. Plus emergency takeover on a top-level node: a takeover answer stays
 * not authoritative from the cache, and is gone once the delegated node reports again.
 */

const GTIN = '09506000134352';

type Route = 'api' | 'qr' | 'gs1';
const ROUTES: readonly Route[] = ['api', 'qr', 'gs1'];

interface Seen {
  readonly status: number;
  readonly source: string | null;
  readonly authoritative: string | null;
}

/** The path of a GS1-style identifier `<gs1 prefix>/01/<gtin>/21/<serial>` on each route. */
function pathOf(route: Route, prefix: string, serial: string): string {
  const handle = `${prefix}/01/${GTIN}/21/${serial}`;
  if (route === 'api') return `/api/handles/${handle}`;
  return route === 'qr' ? `/${handle}` : `/01/${GTIN}/21/${serial}`;
}

async function ask(base: string, path: string): Promise<Seen> {
  const res = await fetch(`${base}${path}`, { redirect: 'manual', headers: { accept: 'text/html' } });
  await res.arrayBuffer();
  return {
    status: res.status,
    source: res.headers.get('x-idnode-source'),
    authoritative: res.headers.get('x-idnode-authoritative'),
  };
}

/** Asked twice: the first answer and the second (cached where the outcome is cacheable). */
async function askTwice(base: string, path: string): Promise<[Seen, Seen]> {
  const first = await ask(base, path);
  return [first, await ask(base, path)];
}

const FOUND_STATUS: Record<Route, number> = { api: 200, qr: 302, gs1: 302 };

describe('provenance on a standalone node', () => {
  let node: TestNode;
  let faults: FaultyStore;
  let auth: string;

  beforeAll(async () => {
    node = await startTestNode(['88.100.5', '88.100.6'], {
      wrapStore: (s) => (faults = faultyStore(s)).store,
    });
    auth = node.adminAuth('88.100.5');
    for (const route of ROUTES) {
      const found = `88.100.5/01/${GTIN}/21/F-${route}`;
      expect((await putRecord(node.url, found, [urlValue(1, `https://p.example/${route}`)], auth)).status).toBe(201);
      const gone = `88.100.5/01/${GTIN}/21/G-${route}`;
      expect((await putRecord(node.url, gone, [urlValue(1, 'https://p.example/g')], auth)).status).toBe(201);
      const del = await fetch(`${node.url}/api/handles/${gone}`, {
        method: 'DELETE',
        headers: { authorization: auth },
      });
      expect(del.status).toBe(200);
    }
  });
  afterAll(() => node?.close());

  it.each(ROUTES)('%s: found, then found from the cache, both authoritative', async (route) => {
    const [first, again] = await askTwice(node.url, pathOf(route, '88.100.5', `F-${route}`));
    expect(first).toEqual({ status: FOUND_STATUS[route], source: 'store', authoritative: 'true' });
    expect(again).toEqual({ status: FOUND_STATUS[route], source: 'cache', authoritative: 'true' });
  });

  it.each(ROUTES)('%s: not found (404), then not found from the cache, both authoritative', async (route) => {
    const [first, again] = await askTwice(node.url, pathOf(route, '88.100.5', `N-${route}`));
    expect(first).toEqual({ status: 404, source: 'store', authoritative: 'true' });
    expect(again).toEqual({ status: 404, source: 'cache', authoritative: 'true' });
  });

  // Deleted: the REST API answers as Handle does (404), the scan routes with their "withdrawn" page (410).
  const GONE_STATUS: Record<Route, number> = { api: 404, qr: 410, gs1: 410 };
  it.each(ROUTES)('%s: deleted (404 API / 410 scan), then again from the cache, both authoritative', async (route) => {
    const [first, again] = await askTwice(node.url, pathOf(route, '88.100.5', `G-${route}`));
    expect(first).toEqual({ status: GONE_STATUS[route], source: 'store', authoritative: 'true' });
    expect(again).toEqual({ status: GONE_STATUS[route], source: 'cache', authoritative: 'true' });
  });

  it.each(ROUTES)('%s: an error of the chain (store down) has no source and is not authoritative', async (route) => {
    faults.failing = true;
    try {
      const [first, again] = await askTwice(node.url, pathOf(route, '88.100.5', `E-${route}`));
      expect(first).toEqual({ status: 503, source: 'none', authoritative: 'false' });
      expect(again).toEqual(first);
    } finally {
      faults.failing = false;
    }
  });

  it.each([
    ['api', '/api/handles/99.1/x', 400],
    ['qr', '/99.1/x', 400],
  ] as const)('%s: a prefix not homed here is an error with no source', async (_route, path, status) => {
    expect(await ask(node.url, path)).toEqual({ status, source: 'none', authoritative: 'false' });
  });

  it.each([
    ['api', '/api/handles/88.100.5/a%20b'],
    ['api', '/api/handles/88.100.5/X?index=abc'],
    ['qr', '/88.100.5/a%20b'],
    ['qr', '/88.100.5/%zz'],
    ['gs1', `/01/09506000134353/21/X`],
  ] as const)('%s: input refused before any resolution (%s) says so too', async (_route, path) => {
    const seen = await ask(node.url, path);
    expect(seen.status).toBe(400);
    expect(seen).toMatchObject({ source: 'none', authoritative: 'false' });
  });

  it('the empty answer of filters that match nothing takes its codes from the error table, with provenance', async () => {
    const res = await fetch(`${node.url}/api/handles/88.100.5/01/${GTIN}/21/F-api?type=NOPE`);
    const body = (await res.json()) as { responseCode: number; values: unknown[] };
    expect([res.status, body.responseCode, body.values]).toEqual([200, 200, []]);
    expect(res.headers.get('x-idnode-source')).toBe('cache');
    expect(res.headers.get('x-idnode-authoritative')).toBe('true');
  });
});

/**
 * A top-level node (homes 88) in this process, with its real directory over its store and real
 * heartbeat tracking: 88.100.7 is delegated to a node that reports (referral), 88.100.8 to one
 * that never did (emergency takeover from the synced copy). No referral following here, so the
 * referral reaches the HTTP side. 88.100.7 is also the first homed prefix, so GS1 paths map there.
 */
describe('provenance on a top-level node: referrals and emergency takeover', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  const health = new NodeHealthTracker(3600);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idnode-provenance-'));
    store = await openLmdbStore({ path: join(dir, 'lmdb') });
    const records = new RecordService(store, { homed: new HomedPrefixes(['88']), changes: new ChangeFeed() });
    await bootstrapHomedPrefixes(records, ['88'], dir, TEST_SECRET);
    const directory = await DelegationRegistry.open(store, { rootPrefix: '88' });
    const as = (handles: readonly string[] = []) => {
      const who = registryPrincipal('prefix-registry (t)', handles, { revivesTombstones: true });
      return (set: ChangeSet) => records.apply(set, who);
    };
    for (const nodeId of ['live', 'silent']) {
      await directory.registerNode(
        { nodeId, role: 'secondary', grpcAddress: '127.0.0.1:9', certIdentity: nodeId },
        as(),
      );
    }
    await directory.delegate('88.100.7', 'live', { actor: 't' }, as(['0.NA/88.100.7']));
    await directory.delegate('88.100.8', 'silent', { actor: 't' }, as(['0.NA/88.100.8']));
    health.report('live', 'HEALTH_STATE_SERVING');
    // The synced copy of the silent node's record, as the sync stream leaves it here.
    const now = new Date().toISOString();
    const value = {
      ...urlValue(1, 'https://takeover.example/t'),
      ttl: 86_400,
      timestamp: now,
      access: 'public' as const,
    };
    for (const s of ['T-api', 'T-qr']) {
      await store.put(`88.100.8/${s.toLowerCase()}`, { handle: `88.100.8/${s}`, values: [value] }, undefined, {
        actor: 'sync',
      });
    }
    const ctx = createAppContext(store, {
      prefixes: ['88.100.7', '88'],
      tokenKey: Buffer.alloc(32, 7),
      keyring: SecretKeyring.ephemeral(),
      federation: { selfId: 'top', directory, health },
    });
    app = await buildServer(ctx, { logger: false });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['api', '/api/handles/88.100.7/R-1'],
    ['qr', '/88.100.7/R-1'],
    ['gs1', `/01/${GTIN}/21/R-1`],
  ] as const)('%s: a referral (never cached) has no source and is not authoritative', async (_route, path) => {
    const [first, again] = await askTwice(url, path);
    expect(first).toEqual({ status: 400, source: 'none', authoritative: 'false' });
    expect(again).toEqual(first);
  });

  it.each([
    ['api', 200],
    ['qr', 302],
  ] as const)(
    '%s: a takeover answer says not authoritative, from the store and from the cache',
    async (route, status) => {
      const path = route === 'api' ? '/api/handles/88.100.8/T-api' : '/88.100.8/T-qr';
      const [first, again] = await askTwice(url, path);
      expect(first).toEqual({ status, source: 'store', authoritative: 'false' });
      expect(again).toEqual({ status, source: 'cache', authoritative: 'false' });
      const missing = await askTwice(url, route === 'api' ? '/api/handles/88.100.8/NOPE-api' : '/88.100.8/NOPE-qr');
      expect(missing).toEqual([
        { status: 404, source: 'store', authoritative: 'false' },
        { status: 404, source: 'cache', authoritative: 'false' },
      ]);
    },
  );

  it('a cached takeover answer is dropped once the delegated node reports again', async () => {
    expect(await ask(url, '/api/handles/88.100.8/T-api')).toMatchObject({ source: 'cache', authoritative: 'false' });
    health.report('silent', 'HEALTH_STATE_SERVING');
    // The node is back: it answers for its prefix again (here: a referral to it), not our copy.
    expect(await ask(url, '/api/handles/88.100.8/T-api')).toEqual({
      status: 400,
      source: 'none',
      authoritative: 'false',
    });
    expect(await ask(url, '/88.100.8/T-qr')).toEqual({ status: 400, source: 'none', authoritative: 'false' });
  });
});
