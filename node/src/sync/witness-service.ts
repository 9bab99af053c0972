import type { SyncHandlers } from '../../../proto/load.ts';
import type { AddCheckpointResponse } from '../../../proto/generated/idnode/v1/AddCheckpointResponse.generated.ts';
import { IdnError } from '../errors/idn-error.ts';
import type { Witness } from '../tlog/witness.ts';
import { errorToWire } from './wire-codec.ts';

/** What identifies the caller of any Sync call (Push or AddCheckpoint): metadata and the TLS peer. */
export type SyncCallIdentity = Pick<Parameters<SyncHandlers['Push']>[0], 'metadata' | 'getAuthContext'>;

/** The part of the receiver's deps the witness service reads. */
export interface WitnessServiceDeps {
  readonly witness?: Witness;
  nodeIdOf(call: SyncCallIdentity): string | undefined;
  allowedPrefixes(nodeId: string): readonly string[] | undefined;
}

const refusal = (e: IdnError, witnessVkey = ''): AddCheckpointResponse => ({ error: errorToWire(e), witnessVkey });

/**
 * Sync.AddCheckpoint: C2SP tlog-witness add-checkpoint over the federation's authenticated
 * channel. The node is the call's mTLS identity; the request's node_id must repeat it.
 */
export function addCheckpointHandler(deps: WitnessServiceDeps): SyncHandlers['AddCheckpoint'] {
  return (call, callback) => {
    const witness = deps.witness;
    const nodeId = deps.nodeIdOf(call);
    if (!witness) return callback(null, refusal(new IdnError('IDN_ERR_TLOG_DISABLED')));
    if (nodeId === undefined || nodeId !== call.request.nodeId) {
      return callback(
        null,
        refusal(new IdnError('IDN_ERR_AUTH_REQUIRED', 'The call has no node identity, or node_id is another node.')),
      );
    }
    if (deps.allowedPrefixes(nodeId) === undefined) {
      return callback(
        null,
        refusal(new IdnError('IDN_ERR_NOT_AUTHORIZED', `Node "${nodeId}" has no delegated prefix.`)),
      );
    }
    const req = call.request;
    witness
      .add(nodeId, {
        oldSize: req.oldSize,
        proof: req.consistencyProof.map((b) => Buffer.from(b)),
        checkpoint: req.checkpoint,
        logVkey: req.logVkey,
      })
      .then((r) =>
        callback(
          null,
          r.ok
            ? { cosignatures: r.cosignatures, witnessVkey: witness.cosigner.vkey }
            : { ...refusal(r.error, witness.cosigner.vkey), knownSize: r.knownSize ?? 0 },
        ),
      )
      .catch(() => callback(null, refusal(new IdnError('IDN_ERR_INTERNAL'))));
  };
}
