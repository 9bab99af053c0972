import { Metadata } from '@grpc/grpc-js';
import type { SyncClientType } from '../../../proto/load.ts';
import type { AddCheckpointResponse__Output } from '../../../proto/generated/idnode/v1/AddCheckpointResponse.generated.ts';
import type { TransparencyLog } from '../tlog/transparency-log.ts';
import { NODE_ID_METADATA } from './sync-receiver.ts';

export interface WitnessClientDeps {
  readonly log: TransparencyLog;
  /** A client of the top-level node's Sync service (the caller's TLS credentials); closed on stop. */
  connect(): SyncClientType;
  readonly nodeId: string;
  /** How often the latest checkpoint is presented (default: 2 s). */
  readonly intervalMs?: number;
  /** The witness refused the log (code IDN_ERR_WITNESS_*): an operator must look. */
  onRefused?(code: string, message: string): void;
}

export interface WitnessClient {
  /** Presents the latest checkpoint now; resolves with the refusal code, or undefined when cosigned. */
  round(): Promise<string | undefined>;
  stop(): void;
}

const DEADLINE_MS = 10_000;

/**
 * The secondary's side of the witness: presents each new checkpoint with a consistency proof
 * from the size the witness last cosigned (learnt from its IDN_ERR_WITNESS_OLD_SIZE answer after
 * a restart), and hands the cosignature to the log, which serves it beside its own signature.
 */
export function startWitnessClient(d: WitnessClientDeps): WitnessClient {
  const client = d.connect();
  let known = 0;
  let cosigned = '';
  let running: Promise<string | undefined> | undefined;

  const call = (oldSize: number, note: string, size: number): Promise<AddCheckpointResponse__Output> => {
    const metadata = new Metadata();
    metadata.set(NODE_ID_METADATA, d.nodeId);
    const request = {
      nodeId: d.nodeId,
      oldSize,
      consistencyProof: d.log.tree.consistency(oldSize, size),
      checkpoint: note,
      logVkey: d.log.signer.vkey,
    };
    return new Promise((resolve, reject) =>
      client.AddCheckpoint(request, metadata, { deadline: Date.now() + DEADLINE_MS }, (err, res) =>
        err || !res ? reject(err ?? new Error('no answer')) : resolve(res),
      ),
    );
  };

  const present = async (): Promise<string | undefined> => {
    const { note, checkpoint } = d.log.latest;
    if (note === cosigned) return undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      // The witness claiming more than this log has is a broken log (tessera's rule): report it.
      const old = Math.min(known, checkpoint.size);
      const res = await call(old, note, checkpoint.size);
      if (!res.error) {
        known = checkpoint.size;
        cosigned = note;
        d.log.addCosignatures(note, res.cosignatures);
        return undefined;
      }
      if (res.error.code === 'IDN_ERR_WITNESS_OLD_SIZE' && res.knownSize !== old && res.knownSize <= checkpoint.size) {
        known = res.knownSize;
        continue;
      }
      d.onRefused?.(res.error.code, res.error.message);
      return res.error.code;
    }
    return 'IDN_ERR_WITNESS_OLD_SIZE';
  };

  const round = (): Promise<string | undefined> => {
    running ??= present().finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void round().catch(() => undefined), d.intervalMs ?? 2000);
  timer.unref();
  return {
    round,
    stop: () => {
      clearInterval(timer);
      client.close();
    },
  };
}
