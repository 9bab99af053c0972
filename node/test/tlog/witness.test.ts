import * as grpc from '@grpc/grpc-js';
import { open } from 'lmdb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncMount, NODE_ID_METADATA, nodeIdFromMetadata } from '../../src/sync/sync-receiver.ts';
import { startWitnessClient } from '../../src/sync/witness-client.ts';
import { checkpointText } from '../../src/tlog/checkpoint.ts';
import { ed25519FromSeed } from '../../src/tlog/ed25519.ts';
import { ed25519NoteSigner, signNote } from '../../src/tlog/note.ts';
import { openWitness } from '../../src/tlog/open-log.ts';
import type { Witness } from '../../src/tlog/witness.ts';
import type { ChangeEntry } from '../../src/store/store.ts';
import { startTestNode, type TestNode } from '../helpers/test-node.ts';
import { insecureClient } from '../sync/sync-harness.ts';
import { readVkey, requireCosignature, requireSignature } from './verifier/note.ts';

const NODE = 'sec-1';
const META = { actor: 'witness-test' };
const dirs: string[] = [];
let top: TestNode;
let secondary: TestNode;
let witness: Witness;
let server: grpc.Server;
let port: number;
const registry = new Registry();

async function write(n: number, from = 0): Promise<void> {
  const ops = Array.from({ length: n }, (_, i) => {
    const handle = `88.100.5/W-${from + i}`;
    const values = [
      {
        index: 1,
        type: 'URL',
        data: { format: 'string', value: `https://e.example/${from + i}` },
        ttl: 60,
        timestamp: new Date().toISOString(),
        access: 'public' as const,
      },
    ];
    return { op: 'put' as const, key: handle.toLowerCase(), input: { handle, values }, cond: undefined };
  });
  await secondary.store.commit(ops, META);
  await secondary.ctx.tlog!.caughtUp();
  secondary.ctx.tlog!.publish();
}

beforeAll(async () => {
  const witnessDir = await mkdtemp(join(tmpdir(), 'idnode-witness-'));
  dirs.push(witnessDir);
  top = await startTestNode(['88.100'], {});
  secondary = await startTestNode(['88.100.5'], { tlog: { origin: 'sec-1.test/log' } });
  witness = openWitness(witnessDir, 'top.test/witness', registry);
  server = new grpc.Server();
  createSyncMount({
    records: top.ctx.records,
    nodeIdOf: nodeIdFromMetadata,
    allowedPrefixes: () => ['88.100.5'],
    witness,
  })(server);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
});
afterAll(async () => {
  server.forceShutdown();
  await secondary.close();
  await top.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the top-level node witnesses a secondary log over Sync.AddCheckpoint', () => {
  it('cosigns each extension; the secondary serves the cosignature beside its own signature', async () => {
    const client = startWitnessClient({
      log: secondary.ctx.tlog!,
      connect: insecureClient(port),
      nodeId: NODE,
      intervalMs: 60_000,
    });
    try {
      for (const n of [5, 300, 1]) {
        await write(n, secondary.ctx.tlog!.tree.size);
        expect(await client.round()).toBeUndefined();
        const note = await (await fetch(`${secondary.url}/log/checkpoint`)).text();
        requireSignature(note, readVkey(secondary.ctx.tlog!.signer.vkey));
        expect(requireCosignature(note, readVkey(witness.cosigner.vkey))).toBeGreaterThan(1_600_000_000);
      }
      expect(witness.last(NODE)?.size).toBe(secondary.ctx.tlog!.tree.size);
    } finally {
      client.stop();
    }
  });

  it('a restarted client learns the cosigned size from the witness (OLD_SIZE) and proves from there', async () => {
    await write(3, secondary.ctx.tlog!.tree.size);
    const client = startWitnessClient({
      log: secondary.ctx.tlog!,
      connect: insecureClient(port),
      nodeId: NODE,
      intervalMs: 60_000,
    });
    try {
      expect(await client.round()).toBeUndefined();
      expect(witness.last(NODE)?.size).toBe(secondary.ctx.tlog!.tree.size);
    } finally {
      client.stop();
    }
  });

  it('refuses forged checkpoints: wrong key, another root at the same size, a smaller tree', async () => {
    const last = witness.last(NODE)!;
    const log = secondary.ctx.tlog!;
    const forger = ed25519NoteSigner(log.origin, ed25519FromSeed(Buffer.alloc(32, 9)));
    const wrongKey = signNote(
      checkpointText({ origin: log.origin, size: last.size + 1, root: log.tree.root() }),
      forger,
    );
    const wrong = await witness.add(NODE, {
      oldSize: last.size,
      proof: [],
      checkpoint: wrongKey,
      logVkey: forger.vkey,
    });
    expect(wrong.ok ? '' : wrong.error.code).toBe('IDN_ERR_WITNESS_BAD_SIGNATURE');
    // The log's own key signing a fork: only an attacker with the key (or a rewritten store) gets here.
    const fork = (size: number, root: Buffer) =>
      signNote(checkpointText({ origin: log.origin, size, root }), log.signer);
    const sameSize = await witness.add(NODE, {
      oldSize: last.size,
      proof: [],
      checkpoint: fork(last.size, Buffer.alloc(32, 1)),
      logVkey: log.signer.vkey,
    });
    expect(sameSize.ok ? '' : sameSize.error.code).toBe('IDN_ERR_WITNESS_INCONSISTENT');
    expect(witness.refused(NODE)?.message).toContain('another root');
    const smaller = await witness.add(NODE, {
      oldSize: 2,
      proof: [],
      checkpoint: fork(2, log.tree.root(2)),
      logVkey: log.signer.vkey,
    });
    expect(smaller.ok ? '' : smaller.error.code).toBe('IDN_ERR_WITNESS_INCONSISTENT');
    expect(await registry.getSingleMetricAsString('idnode_witness_refusals_total')).toContain('reason="inconsistent"');
  });

  it("keeps the synced copy at the last witnessed state: the flagged node's Push is refused with the code", async () => {
    await write(2, secondary.ctx.tlog!.tree.size);
    const refused: string[] = [];
    const metadata = new grpc.Metadata();
    metadata.set(NODE_ID_METADATA, NODE);
    const sync = insecureClient(port)();
    const details = await new Promise<string>((resolve) => {
      const call = sync.Push(metadata);
      call.on('data', () => undefined);
      call.on('error', (e: grpc.ServiceError) => resolve(e.details));
    });
    sync.close();
    expect(details).toContain('IDN_ERR_WITNESS_INCONSISTENT');
    expect(await top.ctx.store.get('88.100.5/w-0')).toBeUndefined();
    const client = startWitnessClient({
      log: secondary.ctx.tlog!,
      connect: insecureClient(port),
      nodeId: NODE,
      intervalMs: 60_000,
      onRefused: (c) => refused.push(c),
    });
    try {
      expect(await client.round()).toBe('IDN_ERR_WITNESS_INCONSISTENT');
      expect(refused).toEqual(['IDN_ERR_WITNESS_INCONSISTENT']);
    } finally {
      client.stop();
    }
  });
});

describe('a secondary whose stopped LMDB was tampered with', () => {
  it('restarts with a rewritten log: the witness refuses its checkpoint and its sync with IDN_ERR_WITNESS_INCONSISTENT', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'idnode-witness-sec2-'));
    dirs.push(dataDir);
    const id = 'sec-2';
    let node = await startTestNode(['88.100.5'], { dataDir, tlog: { origin: 'sec-2.test/log' } });
    const handles = Array.from({ length: 20 }, (_, i) => `88.100.5/T2-${i}`);
    const values = (h: string) => [
      {
        index: 1,
        type: 'URL',
        data: { format: 'string', value: `https://e.example/${h}` },
        ttl: 60,
        timestamp: new Date().toISOString(),
        access: 'public' as const,
      },
    ];
    await node.store.commit(
      handles.map((h) => ({
        op: 'put' as const,
        key: h.toLowerCase(),
        input: { handle: h, values: values(h) },
        cond: undefined,
      })),
      META,
    );
    await node.ctx.tlog!.caughtUp();
    node.ctx.tlog!.publish();
    let client = startWitnessClient({
      log: node.ctx.tlog!,
      connect: insecureClient(port),
      nodeId: id,
      intervalMs: 60_000,
    });
    expect(await client.round()).toBeUndefined();
    client.stop();
    const seq = (await node.store.lastSeq()) - 2;
    await node.close();
    // While it is stopped: one change-log entry of the past rewritten on disk.
    const root = open({ path: join(dataDir, 'lmdb'), maxDbs: 8 });
    const changes = root.openDB<ChangeEntry, number>({ name: 'changes' });
    const entry = changes.get(seq)!;
    changes.putSync(seq, { ...entry, record: { ...entry.record, values: values('evil') } });
    await root.close();
    node = await startTestNode(['88.100.5'], { dataDir, tlog: { origin: 'sec-2.test/log' } });
    try {
      expect(node.ctx.tlog!.rewritten).toBe(true);
      const refused: string[] = [];
      client = startWitnessClient({
        log: node.ctx.tlog!,
        connect: insecureClient(port),
        nodeId: id,
        intervalMs: 60_000,
        onRefused: (c) => refused.push(c),
      });
      expect(await client.round()).toBe('IDN_ERR_WITNESS_INCONSISTENT');
      client.stop();
      expect(witness.refused(id)?.message).toContain('another root');
      const metadata = new grpc.Metadata();
      metadata.set(NODE_ID_METADATA, id);
      const sync = insecureClient(port)();
      const details = await new Promise<string>((resolve) => {
        const call = sync.Push(metadata);
        call.on('data', () => undefined);
        call.on('error', (e: grpc.ServiceError) => resolve(e.details));
      });
      sync.close();
      expect(details).toContain('IDN_ERR_WITNESS_INCONSISTENT');
    } finally {
      await node.close();
    }
  });
});
