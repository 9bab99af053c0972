import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeProcess } from '../helpers/spawn-node.ts';
import { putRecord, startTopology, waitReady, type Topology } from '../federation/topology.ts';
import { contentDigestMatches, keysOf, verifySignature } from './verifier/verifier.ts';

/*
 * A relayed answer keeps the signature of the node that homes it (ADR 0011): a caching node in
 * front of the top-level node, which asks secondary A, writes A's signature fields unchanged for
 * the canonical JSON read, and a reader verifies it with A's published key (independent verifier).
 */

let t: Topology;
let cache: NodeProcess;
const SIGN_ME = { 'accept-signature': 'sig=("@status")' };

beforeAll(async () => {
  t = await startTopology(['cache']);
  cache = await t.start('cache', {
    IDNODE_ROLE: 'caching',
    IDNODE_UPSTREAM: `127.0.0.1:${t.top.grpcPort}`,
    IDNODE_TLS_DIR: join(t.certs, 'cache'),
  });
  await waitReady(cache);
  expect(await putRecord(t.a, '88.100.5/RELAY-1', 'https://maker.example/relay')).toBe(201);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const jwksOf = async (node: NodeProcess) =>
  keysOf((await (await fetch(`${node.url}/.well-known/jwks.json`)).json()) as Parameters<typeof keysOf>[0]);

async function signedRead(node: NodeProcess, path: string) {
  const url = `${node.url}${path}`;
  const res = await fetch(url, { headers: SIGN_ME, redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  const view = {
    kind: 'response' as const,
    status: res.status,
    field: (n: string) => res.headers.get(n),
    request: { method: 'GET', url, field: () => undefined },
  };
  return { res, body, view };
}

describe('answers relayed through a caching node', () => {
  it("the JSON record verifies with the secondary's key, on the miss and on the cache hit", async () => {
    const secondary = await jwksOf(t.a);
    const own = await jwksOf(cache);
    for (const expected of ['upstream', 'cache']) {
      const r = await signedRead(cache, '/api/handles/88.100.5/RELAY-1');
      expect(r.res.status).toBe(200);
      expect(r.res.headers.get('x-idnode-source')).toBe(expected);
      expect(verifySignature(r.view, (k) => secondary.get(k))).toMatchObject({ ok: true, tag: 'idnode' });
      expect(contentDigestMatches(r.res.headers.get('content-digest'), r.body)).toBe(true);
      // Not the caching node's own signature.
      expect(verifySignature(r.view, (k) => own.get(k))).toMatchObject({ ok: false });
    }
  });

  it('answers the secondary never rendered (a redirect) carry the caching node’s own signature', async () => {
    const own = await jwksOf(cache);
    const r = await signedRead(cache, '/88.100.5/RELAY-1');
    expect(r.res.status).toBe(302);
    expect(verifySignature(r.view, (k) => own.get(k))).toMatchObject({ ok: true });
  });
});
