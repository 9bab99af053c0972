import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCerts } from '../../src/federation/certs-command.ts';
import { PeerClient } from '../../src/federation/peer-client.ts';
import { channelCredentials, loadTlsMaterial } from '../../src/federation/tls-material.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import { sized } from '../helpers/scale.ts';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';
import { adminAuth, SECRET } from './topology.ts';

/**
 * Upstream miss throughput over mTLS gRPC to a real top-level process: one multiplexed
 * ResolveStream vs unary Resolve calls, same client, same concurrency, alternated rounds.
 * Prints figures; asserts only correctness (the machine is shared, timings are not asserted).
 *   npx vitest run node/test/federation/upstream-throughput.test.ts
 */

const RECORDS = 200;
// The suite checks correctness on both transports; the figures need the full sizes
// (IDNODE_TEST_FULL=1 or IDNODE_THROUGHPUT_REQUESTS), the loadtest/ benchmarks more still.
const PER_ROUND = Number(process.env.IDNODE_THROUGHPUT_REQUESTS ?? sized(600, 3_000));
const CONCURRENCY = 100;
const ROUNDS = sized(1, 3);

let dir: string;
let top: NodeProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idnode-tput-'));
  await generateCerts({ out: join(dir, 'certs'), nodes: ['top', 'cache'] });
  top = await spawnNode(
    {
      IDNODE_DATA_DIR: join(dir, 'top'),
      IDNODE_ROLE: 'top-level',
      IDNODE_PREFIXES: '88',
      IDNODE_TLS_DIR: join(dir, 'certs', 'top'),
      IDNODE_ADMIN_SECRET: SECRET,
      IDNODE_LOG_LEVEL: 'warn',
      IDNODE_DRAIN_DELAY_MS: '0',
    },
    20_000,
    { grpc: true },
  );
  const body = (i: number) => JSON.stringify({ values: [{ index: 1, type: 'URL', data: `https://t.example/${i}` }] });
  for (let i = 0; i < RECORDS; i += 20) {
    await Promise.all(
      Array.from({ length: 20 }, (_, j) =>
        fetch(`${top.url}/api/handles/88/T-${i + j}`, {
          method: 'PUT',
          headers: { authorization: adminAuth('88'), 'content-type': 'application/json' },
          body: body(i + j),
        }),
      ),
    );
  }
}, 60_000);

afterAll(async () => {
  await top?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function round(client: PeerClient): Promise<{ rps: number; found: number }> {
  let next = 0;
  let found = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < PER_ROUND) {
      const i = next++;
      const id = parseIdentifier(`88/T-${i % RECORDS}`, 'text');
      const o = await client.resolve({ id, authoritative: false });
      if (o.kind === 'found') found++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { rps: PER_ROUND / ((performance.now() - start) / 1000), found };
}

async function clientBase() {
  const tls = await loadTlsMaterial({
    dir: join(dir, 'certs', 'cache'),
    cert: join(dir, 'certs', 'cache', 'node.crt'),
    key: join(dir, 'certs', 'cache', 'node.key'),
    ca: join(dir, 'certs', 'cache', 'ca.crt'),
  });
  return {
    address: `127.0.0.1:${top.grpcPort}`,
    credentials: channelCredentials(tls),
    selfId: 'cache',
    timeoutMs: 10_000,
  };
}

describe('upstream miss throughput', () => {
  it('coalesces identical in-flight misses (auth=true too) into one request on the stream', async () => {
    const client = new PeerClient(await clientBase());
    for (const authoritative of [false, true]) {
      const before = client.stats.streamRequests;
      const id = parseIdentifier(`88/T-${authoritative ? 1 : 2}`, 'text');
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => client.resolve({ id, authoritative })));
      expect(outcomes.every((o) => o.kind === 'found')).toBe(true);
      expect(client.stats.streamRequests - before).toBe(1);
    }
    expect(client.stats.coalesced).toBe(98);
    client.close();
  });

  it('sends concurrent distinct misses as a few batched messages, and answers each one', async () => {
    const client = new PeerClient(await clientBase());
    const ids = Array.from({ length: 100 }, (_, i) => parseIdentifier(`88/T-${i}`, 'text'));
    const outcomes = await Promise.all(ids.map((id) => client.resolve({ id, authoritative: false })));
    expect(outcomes.map((o) => o.kind === 'found' && o.record.handle)).toEqual(ids.map((id) => id.handle));
    expect(client.stats.streamRequests).toBe(100);
    expect(client.stats.streamMessages).toBeLessThanOrEqual(2);
    client.close();
  });

  it('stream vs unary (figures printed)', async () => {
    const base = await clientBase();
    const clients = {
      stream: new PeerClient({ ...base, transport: 'stream' }),
      unary: new PeerClient({ ...base, transport: 'unary' }),
    };
    const rps: Record<'stream' | 'unary', number[]> = { stream: [], unary: [] };
    await round(clients.stream); // warm-up: TLS handshakes, JIT
    await round(clients.unary);
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of ['stream', 'unary'] as const) {
        const res = await round(clients[kind]);
        expect(res.found).toBe(PER_ROUND);
        rps[kind].push(Math.round(res.rps));
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const line = `upstream misses, c=${CONCURRENCY}, ${PER_ROUND}/round: stream ${rps.stream.join('/')} req/s (median ${median(rps.stream)}), unary ${rps.unary.join('/')} req/s (median ${median(rps.unary)}), ratio ${(median(rps.stream) / median(rps.unary)).toFixed(2)}x`;
    process.stdout.write(`\n${line}\n`);
    expect(clients.stream.stats.streamOpens).toBe(1);
    expect(clients.unary.stats.streamRequests).toBe(0);
    clients.stream.close();
    clients.unary.close();
  }, 120_000);
});
