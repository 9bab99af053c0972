import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncClient } from '../../../proto/load.ts';
import type { SyncAck__Output } from '../../../proto/generated/idnode/v1/SyncAck.generated.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import type { HandleValue, StoredRecord } from '../../src/records/types.ts';
import type { ChangeEntry } from '../../src/store/store.ts';
import { createSyncMount, NODE_ID_METADATA, nodeIdFromMetadata, readProvenance } from '../../src/sync/index.ts';
import { entryToWire } from '../../src/sync/wire-codec.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/**
 * The authorisation matrix of the native gRPC write path, Sync.Push into a top-level node: its
 * actors are nodes, not API credentials, and what they may write is decided by the delegation
 * (sync:<node>, sync/sync-principal.ts), not by HS_ADMIN values. Every (actor, operation,
 * target) cell is one real Push stream with one entry; the expected outcome comes from the two
 * small rule tables below. After every refused or skipped cell the target is exactly as before
 * and the only new change-log entries are the pushing node's own cursor.
 */

const HOMED = '88.100.5';
const DELEGATION: Record<string, string> = { 'sec-a': '88.300', 'sec-b': '88.301' };

// Rule table 1: actors. `stream` says how the stream itself fares before any entry is judged.
interface Actor {
  readonly name: string;
  /** The node id in the stream metadata (undefined: none). */
  readonly node?: string;
  /** The node id the batch names (default: the stream's). */
  readonly batchNode?: string;
  readonly stream: 'accepted' | { readonly code: string };
}

const ACTORS: readonly Actor[] = [
  { name: 'no node identity', stream: { code: 'IDN_ERR_AUTH_REQUIRED' } },
  { name: 'node without a delegation', node: 'sec-x', stream: { code: 'IDN_ERR_NOT_AUTHORIZED' } },
  { name: 'sec-a (88.300)', node: 'sec-a', stream: 'accepted' },
  { name: 'sec-b (88.301)', node: 'sec-b', stream: 'accepted' },
  { name: "sec-a naming sec-b's batch", node: 'sec-a', batchNode: 'sec-b', stream: { code: 'IDN_ERR_NOT_AUTHORIZED' } },
];

// Rule table 2: targets, named relative to the pushing node, and what the top-level does with them.
type Whose =
  | 'own prefix'
  | 'own sub-prefix record'
  | 'own sub-prefix'
  | 'own delegation record'
  | 'forged provenance'
  | 'registry bookkeeping'
  | "other node's prefix"
  | "other node's delegation record"
  | "top-level's homed prefix";

type Verdict = 'applied' | 'skipped' | { readonly code: string };
const FOREIGN = { code: 'IDN_ERR_SYNC_FOREIGN_PREFIX' } as const;

const TARGETS: Record<Whose, { readonly handle: (own: string, other: string, n: number) => string; verdict: Verdict }> =
  {
    'own prefix': { handle: (o, _x, n) => `${o}/CELL-${n}`, verdict: 'applied' },
    'own sub-prefix record': { handle: (o, _x, n) => `0.NA/${o}.${n}`, verdict: 'applied' },
    'own sub-prefix': { handle: (o, _x, n) => `${o}.7/CELL-${n}`, verdict: 'applied' },
    // The top-level's directory entry is authoritative for a delegation; the secondary's copy is ignored.
    'own delegation record': { handle: (o) => `0.NA/${o}`, verdict: 'skipped' },
    'forged provenance': { handle: (o, _x, n) => `0.SYNC/FROM/${o}/CELL-${n}`, verdict: 'skipped' },
    'registry bookkeeping': { handle: (_o, _x, n) => `0.REG/CELL-${n}`, verdict: 'skipped' },
    "other node's prefix": { handle: (_o, x, n) => `${x}/CELL-${n}`, verdict: FOREIGN },
    "other node's delegation record": { handle: (_o, x) => `0.NA/${x}`, verdict: FOREIGN },
    "top-level's homed prefix": { handle: () => `${HOMED}/OWN`, verdict: FOREIGN },
  };

type OpName = 'create' | 'update' | 'delete';
const OPS: readonly OpName[] = ['create', 'update', 'delete'];

function expectedOutcome(actor: Actor, whose: Whose): Verdict {
  return actor.stream === 'accepted' ? TARGETS[whose].verdict : actor.stream;
}

let node: TestNode;
let server: grpc.Server;
let port: number;
let n = 0;

beforeAll(async () => {
  node = await startTestNode([HOMED]);
  const own = await putRecord(
    node.url,
    `${HOMED}/OWN`,
    [urlValue(1, 'https://top.example/own')],
    node.adminAuth(HOMED),
  );
  if (own.status !== 201) throw new Error(`fixture: ${own.status}`);
  server = new grpc.Server();
  createSyncMount({
    records: node.ctx.records,
    nodeIdOf: nodeIdFromMetadata,
    allowedPrefixes: (id) => (DELEGATION[id] === undefined ? undefined : [DELEGATION[id]]),
  })(server);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
});

afterAll(async () => {
  server?.forceShutdown();
  await node?.close();
});

const values = (v: string): HandleValue[] => [
  {
    index: 1,
    type: 'URL',
    data: { format: 'string', value: `https://sec.example/${v}` },
    ttl: 86400,
    timestamp: '2025-01-01T00:00:00.000Z',
    access: 'public',
  },
];

/** The entry a secondary's log holds for this op (version 1 create, 2 update, 3 delete). */
function entryFor(handle: string, op: OpName): ChangeEntry {
  const version = { create: 1, update: 2, delete: 3 }[op];
  const at = new Date().toISOString();
  const record: StoredRecord = {
    handle,
    values: op === 'delete' ? [] : values(`${op}/${handle}`),
    version,
    createdAt: at,
    updatedAt: at,
    ...(op === 'delete' ? { deletedAt: at } : {}),
  };
  const key = parseIdentifier(handle, 'text').key;
  const base = { seq: 0, key, version, previousVersion: version - 1, at, actor: 'secondary', record };
  return { ...base, op: op === 'delete' ? 'delete' : 'put' };
}

interface PushOutcome {
  /** The stream was refused (its error code), or the entry was acked (its error code, if any). */
  readonly stream?: string;
  readonly ack?: string;
}

/** One Push stream: waits for the hello, sends one batch with the entry right after the cursor, reads the ack. */
function pushOne(actor: Actor, entry: ChangeEntry): Promise<PushOutcome> {
  const client = new SyncClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  if (actor.node !== undefined) md.set(NODE_ID_METADATA, actor.node);
  const call = client.push(md);
  return new Promise<PushOutcome>((resolve) => {
    const done = (o: PushOutcome) => {
      call.cancel();
      client.close();
      resolve(o);
    };
    call.on('data', (m: SyncAck__Output) => {
      if (m.kind === 'hello' && m.hello) {
        const e = entryToWire({ ...entry, seq: m.hello.resumeFrom + 1 });
        call.write({ nodeId: actor.batchNode ?? actor.node ?? '', entries: [e] });
      } else if (m.kind === 'ack' && m.ack) done(m.ack.error?.code ? { ack: m.ack.error.code } : {});
    });
    call.on('error', (e: grpc.ServiceError) => done({ stream: e.details.split(':')[0] ?? e.details }));
  });
}

/** Brings an applied target to the state the op starts from (update: created; delete: updated). */
async function prepare(actor: Actor, handle: string, op: OpName): Promise<void> {
  const before: OpName[] = op === 'create' ? [] : op === 'update' ? ['create'] : ['create', 'update'];
  for (const b of before) {
    const out = await pushOne(actor, entryFor(handle, b));
    if (out.stream !== undefined || out.ack !== undefined) throw new Error(`prepare ${b}: ${JSON.stringify(out)}`);
  }
}

const tally = { cells: 0, applied: 0, refused: 0, skipped: 0 };

const CELLS = ACTORS.flatMap((actor) =>
  OPS.flatMap((op) =>
    (Object.keys(TARGETS) as Whose[]).map((whose) => ({ actor, op, whose, expected: expectedOutcome(actor, whose) })),
  ),
);
const label = (v: Verdict): string => (typeof v === 'string' ? v : v.code);

describe.each(ACTORS.map((a) => [a.name, a] as const))('sync actor: %s', (_name, actor) => {
  const cells = CELLS.filter((c) => c.actor === actor).map((c) => [c.op, c.whose, label(c.expected), c] as const);
  it.each(cells)('%s on %s -> %s', async (op, whose, _label, cell) => {
    tally.cells++;
    const self = actor.node !== undefined && DELEGATION[actor.node] !== undefined ? actor.node : 'sec-a';
    const own = DELEGATION[self]!;
    const other = DELEGATION[self === 'sec-a' ? 'sec-b' : 'sec-a']!;
    const handle = TARGETS[whose].handle(own, other, ++n);
    const key = parseIdentifier(handle, 'text').key;
    if (cell.expected === 'applied') await prepare(actor, handle, op);
    const before = await node.ctx.store.get(key);
    const seq = await node.ctx.store.lastSeq();

    const out = await pushOne(actor, entryFor(handle, op));
    const log = await node.ctx.store.changesSince(seq, 100);
    const expected = cell.expected;
    if (expected === 'applied') {
      tally.applied++;
      expect(out).toEqual({});
      const after = await node.ctx.store.get(key);
      expect(after?.deletedAt !== undefined).toBe(op === 'delete');
      if (op !== 'delete') expect(after?.values).toEqual(values(`${op}/${handle}`));
      expect((await readProvenance(node.ctx.store, key))?.nodeId).toBe(actor.node);
      return;
    }
    if (expected === 'skipped') {
      tally.skipped++;
      expect(out).toEqual({});
    } else {
      tally.refused++;
      expect(out).toEqual(actor.stream === 'accepted' ? { ack: expected.code } : { stream: expected.code });
    }
    // Nothing outside the node's delegation was written: the target as before, only its own cursor moved.
    expect(await node.ctx.store.get(key)).toEqual(before);
    expect(log.map((e) => e.key).filter((k) => k !== `0.sync/${actor.node ?? ''}`)).toEqual([]);
  });
});

describe('sync matrix summary', () => {
  it('every cell ran, and each verdict occurs', () => {
    console.log(`sync authorisation matrix: ${JSON.stringify(tally)}`);
    expect(tally.cells).toBe(CELLS.length);
    expect(Math.min(tally.applied, tally.refused, tally.skipped)).toBeGreaterThan(0);
  });
});
