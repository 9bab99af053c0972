import { credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretKeyring } from '../../src/auth/seal/keyring.ts';
import { createAppContext, type NodeContext } from '../../src/app.ts';
import { startGrpcServer, type RunningGrpcServer } from '../../src/federation/grpc-server.ts';
import { PeerClient } from '../../src/federation/peer-client.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import { buildServer } from '../../src/http/server.ts';
import { openLmdbStore, type LmdbStore } from '../../src/store/lmdb-store.ts';
import { resolutionService, type ResolutionHandlers } from '../../../proto/load.ts';
import type { ResolveRequest__Output } from '../../../proto/generated/idnode/v1/ResolveRequest.generated.ts';
import type { ResolveResponse } from '../../../proto/generated/idnode/v1/ResolveResponse.generated.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/*
 * Over real gRPC on 127.0.0.1 (proto/load.ts, the node's own server and client): a value that is
 * not public never reaches another node as public. The homing node sends public values only, and
 * whatever tier a peer sends that this node does not know is read as 'authority', so an
 * anonymous reader of the asking node never sees it.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const peerOf = (port: number): PeerClient => {
  const client = new PeerClient({
    address: `127.0.0.1:${port}`,
    credentials: credentials.createInsecure(),
    selfId: 'asker',
    timeoutMs: 5_000,
  });
  cleanups.push(() => Promise.resolve(client.close()));
  return client;
};

/** A caching node in this process whose upstream is `upstream`: real LMDB, real HTTP. */
async function askingNode(upstream: PeerClient): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'idnode-asker-'));
  const store: LmdbStore = await openLmdbStore({ path: join(dir, 'lmdb') });
  const ctx = createAppContext(store, {
    prefixes: [],
    tokenKey: Buffer.alloc(32, 3),
    keyring: SecretKeyring.ephemeral(),
    federation: { selfId: 'asker', upstream },
  });
  const app: FastifyInstance = await buildServer(ctx, { logger: false });
  cleanups.push(async () => {
    await app.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return app.listen({ port: 0, host: '127.0.0.1' });
}

const read = async (base: string, handle: string) => {
  const res = await fetch(`${base}/api/handles/${handle}`);
  return { status: res.status, body: (await res.json()) as { code?: string; values?: { index: number }[] } };
};

const tiered = (access: string, index: number, type: string, value: string) => ({
  index,
  type,
  data: { format: 'string', value },
  access,
});

describe('the homing node over gRPC', () => {
  let home: TestNode;
  let grpc: RunningGrpcServer;

  beforeAll(async () => {
    home = await startTestNode(['88.100.5']);
    cleanups.push(() => home.close());
    const values = [
      urlValue(1, 'https://passport.example/public'),
      tiered('legitimate-interest', 2, 'DPP', 'https://passport.example/repairers'),
      tiered('authority', 3, 'EMAIL', 'regulator-only@maker.example'),
    ];
    expect((await putRecord(home.url, '88.100.5/TIERS-1', values, home.adminAuth('88.100.5'))).status).toBe(201);
    const peerCtx = home.ctx as NodeContext;
    grpc = await startGrpcServer(
      { resolvePeer: peerCtx.resolvePeer, readiness: peerCtx.readiness },
      { host: '127.0.0.1', port: 0, tls: undefined, selfId: 'home' },
    );
    cleanups.push(() => grpc.shutdown(500));
  });

  it('sends public values only: restricted ones never arrive, and nothing arrives marked public that was not', async () => {
    const id = parseIdentifier('88.100.5/TIERS-1');
    const stored = await home.ctx.store.get(id.key);
    const o = await peerOf(grpc.port).resolve({ id, authoritative: false });
    expect(o.kind).toBe('found');
    if (o.kind !== 'found') return;
    // Index 1 and the default HS_ADMIN (100) are public; the DPP (2) and EMAIL (3) values are not.
    expect(stored?.values.map((v) => [v.index, v.access])).toEqual([
      [1, 'public'],
      [2, 'legitimate-interest'],
      [3, 'authority'],
      [100, 'public'],
    ]);
    expect(o.record.values).toStrictEqual(stored?.values.filter((v) => v.access === 'public'));
  });

  it('an anonymous reader of the asking node sees the public value only', async () => {
    const asker = await askingNode(peerOf(grpc.port));
    const r = await read(asker, '88.100.5/TIERS-1');
    expect(r.status).toBe(200);
    expect(r.body.values?.map((v) => v.index)).toEqual([1, 100]);
  });
});

describe('a peer that sends tiers this node does not know', () => {
  let port = 0;
  const answer = (req: ResolveRequest__Output): ResolveResponse => {
    const value = (index: number, access: unknown, json = `"v${index}"`) => ({
      index,
      type: 'DPP',
      data: { format: 'string', json },
      ttl: 60,
      access: access as 'ACCESS_TIER_PUBLIC',
    });
    const malformed = req.identifier.endsWith('/BAD-JSON');
    return {
      requestId: req.requestId,
      servedBy: 'rogue',
      status: 'RESOLVE_STATUS_FOUND',
      authoritative: true,
      record: {
        handle: req.identifier,
        version: 1,
        values: [
          value(1, 'ACCESS_TIER_PUBLIC'),
          value(2, 'ACCESS_TIER_UNSPECIFIED'),
          value(3, 9),
          value(4, 'ACCESS_TIER_LEGITIMATE_INTEREST'),
          ...(malformed ? [value(5, 'ACCESS_TIER_PUBLIC', '{not json')] : []),
        ],
      },
    };
  };

  beforeAll(async () => {
    // An older peer: no ResolveBatchStream, so the client falls back to ResolveStream.
    const handlers: Pick<ResolutionHandlers, 'Resolve' | 'ResolveStream'> = {
      Resolve: (call, cb) => cb(null, answer(call.request)),
      ResolveStream: (call) => {
        call.on('data', (req: ResolveRequest__Output) => call.write(answer(req)));
        call.on('end', () => call.end());
      },
    };
    const server = new Server();
    server.addService(resolutionService, handlers);
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    cleanups.push(() => Promise.resolve(server.forceShutdown()));
  });

  it('reads unspecified and unknown tiers as authority', async () => {
    const o = await peerOf(port).resolve({ id: parseIdentifier('88.100.5/ROGUE-1'), authoritative: false });
    expect(o.kind === 'found' && o.record.values.map((v) => v.access)).toEqual([
      'public',
      'authority',
      'authority',
      'legitimate-interest',
    ]);
  });

  it('shows an anonymous reader of the asking node only what the peer marked public', async () => {
    const asker = await askingNode(peerOf(port));
    const r = await read(asker, '88.100.5/ROGUE-1');
    expect(r.status).toBe(200);
    expect(r.body.values?.map((v) => v.index)).toEqual([1]);
  });

  it('refuses a record with a value that does not decode (502 IDN_ERR_PEER_MALFORMED), never half of it', async () => {
    const asker = await askingNode(peerOf(port));
    const r = await read(asker, '88.100.5/BAD-JSON');
    expect([r.status, r.body.code]).toEqual([502, 'IDN_ERR_PEER_MALFORMED']);
    expect(r.body.values).toBeUndefined();
  });
});
