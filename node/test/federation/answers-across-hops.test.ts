import { credentials, type ServiceError } from '@grpc/grpc-js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelOptions } from '../../src/federation/peer-client.ts';
import { RegistryClient, type RegistryClientType } from '../../../proto/load.ts';
import type { HeartbeatResponse__Output } from '../../../proto/generated/idnode/v1/HeartbeatResponse.generated.ts';
import type { NodeProcess } from '../helpers/spawn-node.ts';
import { putRecord as putValues, urlValue } from '../helpers/test-node.ts';
import { adminAuth, metric, putRecord, startTopology, waitReady, type Topology } from './topology.ts';

/**
 * What an answer says about itself survives every hop between real processes over mTLS: a
 * derived (walk-up, template) answer keeps x-idnode-resolved-via / -from through a secondary, the
 * top-level node and a caching node; a negative answer lives at the asking node no longer than the
 * homing node allows; heartbeats carry real health and seqs both ways.
 */

let t: Topology;
let cache: NodeProcess;

beforeAll(async () => {
  t = await startTopology(['cache', 'probe']);
  // Its own negative-cache time is far longer than the homing nodes' (5 s): only their hint can shorten it.
  cache = await t.start('cache', {
    IDNODE_ROLE: 'caching',
    IDNODE_UPSTREAM: `127.0.0.1:${t.top.grpcPort}`,
    IDNODE_TLS_DIR: join(t.certs, 'cache'),
    IDNODE_CACHE_NEGATIVE_TTL_S: '300',
  });
  await waitReady(cache);
  const auth = adminAuth('88.100.5');
  const walkUp = { pattern: 'CELL-{model}-{serial}', model: 'MODEL-{model}', enterprise: 'DEFAULT' };
  const cfg = [{ index: 2, type: 'WALKUP', data: { format: 'json', value: walkUp } }];
  expect((await putValues(t.a.url, '0.NA/88.100.5', cfg, auth, '?index=2')).status).toBe(200);
  expect(await putRecord(t.a, '88.100.5/DEFAULT', 'https://maker.example/')).toBe(201);
  expect(await putRecord(t.a, '88.100.5/MODEL-M1', 'https://maker.example/m1')).toBe(201);
  const template = [
    { index: 1, type: 'TEMPLATE', data: { format: 'json', value: { pattern: 'LOT-{lot}' } } },
    urlValue(2, 'https://maker.example/lot/{lot}'),
  ];
  expect((await putValues(t.a.url, '88.100.5/TEMPLATE.LOT', template, auth)).status).toBe(201);
}, 90_000);

afterAll(async () => {
  await t?.close();
});

interface Seen {
  status: number;
  via: string | null;
  from: string | null;
  url: unknown;
}

async function seen(node: NodeProcess, handle: string): Promise<Seen> {
  const res = await fetch(`${node.url}/api/handles/${handle}`);
  const body = (await res.json()) as { values?: { type: string; data: { value: unknown } }[] };
  return {
    status: res.status,
    via: res.headers.get('x-idnode-resolved-via'),
    from: res.headers.get('x-idnode-resolved-from'),
    url: body.values?.find((v) => v.type === 'URL')?.data.value,
  };
}

describe('derived answers across hops', () => {
  const CASES: [string, Seen][] = [
    [
      '88.100.5/CELL-M1-0001',
      { status: 200, via: 'model', from: '88.100.5/MODEL-M1', url: 'https://maker.example/m1' },
    ],
    [
      '88.100.5/CELL-M9-0001',
      { status: 200, via: 'enterprise', from: '88.100.5/DEFAULT', url: 'https://maker.example/' },
    ],
    [
      '88.100.5/LOT-42',
      { status: 200, via: 'template', from: '88.100.5/TEMPLATE.LOT', url: 'https://maker.example/lot/42' },
    ],
  ];

  it.each(CASES)(
    '%s answers the same directly, through B, through the top-level and the caching node',
    async (h, want) => {
      expect(await seen(t.a, h)).toEqual(want);
      // B follows the top-level's referral to A; the top-level follows it itself; the caching node asks the top-level.
      for (const node of [t.b, t.top, cache])
        expect({ node: node.url, ...(await seen(node, h)) }).toEqual({ node: node.url, ...want });
      // The copy in the caching node's cache says the same.
      expect(await seen(cache, h)).toEqual(want);
    },
  );

  it('an exact record through the same hops carries no derived headers', async () => {
    expect(await putRecord(t.a, '88.100.5/CELL-M1-0002', 'https://item.example/2')).toBe(201);
    const want = { status: 200, via: null, from: null, url: 'https://item.example/2' };
    for (const node of [t.a, t.b, t.top, cache]) expect(await seen(node, '88.100.5/CELL-M1-0002')).toEqual(want);
  });
});

describe('cache hints across hops', () => {
  it('a "not found" lives at the caching node only as long as the homing node lets it (negative_ttl)', async () => {
    expect((await seen(cache, '88.200/NEW-1')).status).toBe(404);
    expect((await seen(cache, '88.200/NEW-1')).status).toBe(404);
    expect(await putRecord(t.b, '88.200/NEW-1', 'https://b.example/new-1')).toBe(201);
    // Its own negative TTL is 300 s; B's hint (5 s) lets the new registration show up well before that.
    const deadline = Date.now() + 60_000;
    let status = 404;
    while (status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      status = (await seen(cache, '88.200/NEW-1')).status;
    }
    expect(status).toBe(200);
  }, 90_000);
});

describe('heartbeats', () => {
  it('a secondary learns how far the top-level applied its changes, and the top-level how far behind it is', async () => {
    expect(await putRecord(t.a, '88.100.5/BEAT-1', 'https://a.example/beat-1')).toBe(201);
    const deadline = Date.now() + 30_000;
    let applied: number | undefined = 0;
    let lag = -1;
    let unacked: number | undefined = -1;
    while (Date.now() < deadline && ((applied ?? 0) < 6 || lag !== 0 || unacked !== 0)) {
      await new Promise((r) => setTimeout(r, 250));
      applied = await gauge(t.a, 'idnode_federation_upstream_applied_seq');
      lag = await metric(t.top, 'idnode_federation_node_sync_lag_entries', 'node="secA"');
      unacked = await gauge(t.a, 'idnode_sync_lag_entries');
    }
    // Six writes on A so far (WALKUP, DEFAULT, MODEL-M1, TEMPLATE.LOT, CELL-M1-0002, BEAT-1), after its bootstrap.
    expect(applied).toBeGreaterThanOrEqual(6);
    expect(lag).toBe(0);
    expect(unacked).toBe(0);
    expect(await gauge(t.a, 'idnode_federation_takeover_active')).toBe(0);
    expect(await metric(t.top, 'idnode_federation_node_takeover_active', 'node="secA"')).toBe(0);
  }, 60_000);

  it('a node reporting NOT_SERVING is taken over at once, and the answer says so', async () => {
    const probe = await registryClient(join(t.certs, 'probe'));
    const node = { nodeId: 'probe', role: 'NODE_ROLE_SECONDARY', grpcAddress: '127.0.0.1:1' };
    await unary(probe, 'RegisterNode', { node, claimedPrefixes: [] });
    const down = await unary(probe, 'Heartbeat', { nodeId: 'probe', health: 'HEALTH_STATE_NOT_SERVING', lastSeq: 42 });
    expect([down.takeoverActive, down.appliedSeq]).toEqual([true, 0]);
    expect(await metric(t.top, 'idnode_federation_node_takeover_active', 'node="probe"')).toBe(1);
    // It sent 42 entries' worth of seq and none arrived over sync.
    expect(await metric(t.top, 'idnode_federation_node_sync_lag_entries', 'node="probe"')).toBe(42);
    const up = await unary(probe, 'Heartbeat', { nodeId: 'probe', health: 'HEALTH_STATE_SERVING', lastSeq: 42 });
    expect(up.takeoverActive).toBe(false);
    expect(await metric(t.top, 'idnode_federation_node_takeover_active', 'node="probe"')).toBe(0);
    probe.close();
  });
});

/** A label-less gauge's value from /metrics (undefined when absent). */
async function gauge(node: NodeProcess, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

async function registryClient(tlsDir: string): Promise<RegistryClientType> {
  const [ca, key, cert] = await Promise.all(['ca.crt', 'node.key', 'node.crt'].map((f) => readFile(join(tlsDir, f))));
  const address = `127.0.0.1:${t.top.grpcPort}`;
  return new RegistryClient(address, credentials.createSsl(ca, key, cert), channelOptions(undefined));
}

type Method = 'RegisterNode' | 'Heartbeat';
type UnaryFn = (req: unknown, opts: { deadline: number }, cb: (e: ServiceError | null, r?: unknown) => void) => void;

function unary(c: RegistryClientType, method: 'Heartbeat', req: unknown): Promise<HeartbeatResponse__Output>;
function unary(c: RegistryClientType, method: Method, req: unknown): Promise<unknown>;
function unary(c: RegistryClientType, method: Method, req: unknown): Promise<unknown> {
  const fn = (c[method] as UnaryFn).bind(c);
  return new Promise((resolve, reject) =>
    fn(req, { deadline: Date.now() + 5_000 }, (e, r) =>
      e !== null || r === undefined ? reject(e ?? new Error(`${method}: no answer`)) : resolve(r),
    ),
  );
}
