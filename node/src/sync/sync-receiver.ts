import type * as grpc from '@grpc/grpc-js';
import { syncService, type SyncHandlers } from '../../../proto/load.ts';
import type { ChangeBatch__Output } from '../../../proto/generated/idnode/v1/ChangeBatch.generated.ts';
import type { SyncAck } from '../../../proto/generated/idnode/v1/SyncAck.generated.ts';
import { IdnError, isIdnError } from '../errors/idn-error.ts';
import type { RecordService } from '../write/record-service.ts';
import { applyBatch, type BatchResult, type IncomingEntry } from './apply-batch.ts';
import { readCursor, type SyncCursor } from './sync-records.ts';
import { entryFromWire, errorToWire } from './wire-codec.ts';
import type { Witness } from '../tlog/witness.ts';
import { addCheckpointHandler, type SyncCallIdentity } from './witness-service.ts';

type PushCall = Parameters<SyncHandlers['Push']>[0];
type WireEntry = ChangeBatch__Output['entries'][number];

/**
 * A malformed entry (its record does not decode) is refused on its own, by seq and key, like a
 * value rule refusal: the sender's store holds something no conforming node writes, and the
 * stream must go on. Only an entry that cannot even be placed (no valid seq) fails the stream.
 */
function decodeEntry(w: WireEntry): IncomingEntry {
  try {
    return entryFromWire(w);
  } catch (e) {
    if (!isIdnError(e) || !Number.isSafeInteger(w.seq) || w.seq < 1) throw e;
    const error = new IdnError(e.code, `Change ${w.seq} for "${w.key}" refused: ${e.message}`, {
      ...e.detail,
      seq: w.seq,
      key: w.key,
    });
    return { seq: w.seq, key: w.key, error };
  }
}

/** Same shape as the federation's GrpcMount: adds a service to the caller's server. */
export type SyncMount = (server: grpc.Server) => void;

export interface SyncReceiverDeps {
  /**
   * The top-level node's write service: every synced change is a change set applied by the
   * system principal sync:<node> (sync-principal.ts), so it passes every value rule, and its
   * commits are announced (the resolution cache drops stale copies).
   */
  readonly records: RecordService;
  /** The authenticated node of a call (mTLS identity, checked against metadata "idnode-node-id"). */
  nodeIdOf(call: SyncCallIdentity): string | undefined;
  /** Prefixes delegated to the node (read per batch, so a new delegation applies at once); undefined: unknown node. */
  allowedPrefixes(nodeId: string): readonly string[] | undefined;
  readonly maxBatchEntries?: number;
  readonly maxUnackedBatches?: number;
  /** The witness of the nodes' transparency logs (AddCheckpoint); without it AddCheckpoint is refused. */
  readonly witness?: Witness;
  /** Called after each applied batch (metrics, tests). */
  onBatch?(nodeId: string, result: BatchResult): void;
}

interface NodeState {
  cursor: SyncCursor | undefined;
  /** Every step for a node runs in turn, across streams: a reconnect never races the old stream. */
  chain: Promise<void>;
  call: PushCall | undefined;
}

export const DEFAULT_MAX_BATCH_ENTRIES = 1000;
export const DEFAULT_MAX_UNACKED_BATCHES = 8;

function fail(call: PushCall, e: unknown): void {
  const err = isIdnError(e) ? e : new IdnError('IDN_ERR_INTERNAL');
  call.emit('error', { code: err.spec.grpc, details: `${err.code}: ${err.message}` });
}

class SyncReceiver {
  readonly #deps: SyncReceiverDeps;
  readonly #nodes = new Map<string, NodeState>();

  constructor(deps: SyncReceiverDeps) {
    this.#deps = deps;
  }

  readonly push = (call: PushCall): void => {
    const nodeId = this.#deps.nodeIdOf(call);
    if (nodeId === undefined)
      return fail(call, new IdnError('IDN_ERR_AUTH_REQUIRED', 'The sync stream has no node identity.'));
    if (this.#deps.allowedPrefixes(nodeId) === undefined) {
      return fail(call, new IdnError('IDN_ERR_NOT_AUTHORIZED', `Node "${nodeId}" has no delegated prefix.`));
    }
    const refused = this.#deps.witness?.refused(nodeId);
    // The synced copy keeps the last witnessed state: a log found rewritten is not applied further.
    if (refused)
      return fail(call, new IdnError('IDN_ERR_WITNESS_INCONSISTENT', undefined, { node: nodeId, ...refused }));
    const node = this.#node(nodeId);
    const previous = node.call;
    node.call = call;
    // One live stream per node: a half-open old stream must not keep feeding batches.
    if (previous && previous !== call)
      fail(previous, new IdnError('IDN_ERR_UNAVAILABLE', 'Superseded by a newer sync stream.'));
    const open = { value: true };
    const close = (): void => void (open.value = false);
    call.on('cancelled', close).on('error', close).on('close', close).on('finish', close);
    this.#enqueue(node, () => this.#hello(node, nodeId, call, open));
    call.on('data', (batch: ChangeBatch__Output) => this.#onBatch(node, nodeId, call, open, batch));
    call.on('end', () =>
      this.#enqueue(node, () => {
        if (open.value) call.end();
        return Promise.resolve();
      }),
    );
  };

  #node(nodeId: string): NodeState {
    let n = this.#nodes.get(nodeId);
    if (!n) {
      n = { cursor: undefined, chain: Promise.resolve(), call: undefined };
      this.#nodes.set(nodeId, n);
    }
    return n;
  }

  #enqueue(node: NodeState, step: () => Promise<void>): void {
    node.chain = node.chain.then(step, step);
  }

  async #hello(node: NodeState, nodeId: string, call: PushCall, open: { value: boolean }): Promise<void> {
    try {
      // Read from the store on every connect: the cursor there is the truth after a restart.
      node.cursor = await readCursor(this.#deps.records.store, nodeId);
    } catch (e) {
      node.cursor = undefined;
      return fail(call, e);
    }
    const hello: SyncAck = {
      hello: {
        resumeFrom: node.cursor.appliedThrough,
        maxBatchEntries: this.#deps.maxBatchEntries ?? DEFAULT_MAX_BATCH_ENTRIES,
        maxUnackedBatches: this.#deps.maxUnackedBatches ?? DEFAULT_MAX_UNACKED_BATCHES,
      },
    };
    if (open.value) call.write(hello);
  }

  #onBatch(
    node: NodeState,
    nodeId: string,
    call: PushCall,
    open: { value: boolean },
    batch: ChangeBatch__Output,
  ): void {
    if (batch.nodeId !== nodeId) {
      return fail(
        call,
        new IdnError('IDN_ERR_NOT_AUTHORIZED', `Batch for node "${batch.nodeId}" on the stream of "${nodeId}".`),
      );
    }
    let entries: IncomingEntry[];
    try {
      entries = batch.entries.map(decodeEntry);
    } catch (e) {
      return fail(call, e);
    }
    const max = this.#deps.maxBatchEntries ?? DEFAULT_MAX_BATCH_ENTRIES;
    if (entries.length > max)
      return fail(call, new IdnError('IDN_ERR_BAD_REQUEST', `A batch holds at most ${max} entries.`));
    this.#enqueue(node, () => this.#apply(node, nodeId, call, open, entries));
  }

  async #apply(
    node: NodeState,
    nodeId: string,
    call: PushCall,
    open: { value: boolean },
    entries: Parameters<typeof applyBatch>[3],
  ): Promise<void> {
    const cursor = node.cursor;
    if (cursor === undefined) return;
    let result: BatchResult;
    try {
      const allowed = this.#deps.allowedPrefixes(nodeId) ?? [];
      result = await applyBatch(this.#deps.records, nodeId, cursor, entries, allowed);
    } catch (e) {
      // Unknown how far the store got: re-read the cursor on the next connect; the sender resends.
      node.cursor = undefined;
      if (open.value) call.write({ ack: { appliedThrough: cursor.appliedThrough, error: errorToWire(e) } });
      return fail(call, e);
    }
    node.cursor = result.cursor;
    this.#deps.onBatch?.(nodeId, result);
    if (!open.value) return;
    call.write({
      ack: {
        appliedThrough: result.cursor.appliedThrough,
        resendFrom: result.resendFrom ?? 0,
        ...(result.refused ? { error: errorToWire(result.refused.error) } : {}),
      },
    });
  }
}

/**
 * The top-level node's Sync service. Mount it on the node's gRPC server:
 * `createSyncMount({ records, nodeIdOf, allowedPrefixes })(server)`.
 */
export function createSyncMount(deps: SyncReceiverDeps): SyncMount {
  return (server) => {
    const receiver = new SyncReceiver(deps);
    const handlers: SyncHandlers = { Push: receiver.push, AddCheckpoint: addCheckpointHandler(deps) };
    server.addService(syncService, handlers);
  };
}

/** Reads the node id a sender puts in the metadata; callers with mTLS must also check it against the certificate. */
export const nodeIdFromMetadata = (call: SyncCallIdentity): string | undefined => {
  const v = call.metadata.get(NODE_ID_METADATA)[0];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

export const NODE_ID_METADATA = 'idnode-node-id';
