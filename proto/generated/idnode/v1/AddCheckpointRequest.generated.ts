// Original file: proto/idnode/v1/sync.proto

import type { Long } from '@grpc/proto-loader';

export interface AddCheckpointRequest {
  /**
   * Must match the call's authenticated node.
   */
  nodeId?: string;
  /**
   * The size of the checkpoint the witness last cosigned for this node (0 at first).
   */
  oldSize?: number | string | Long;
  /**
   * RFC 6962 consistency proof from old_size to the checkpoint's size; at most 63 hashes.
   */
  consistencyProof?: (Buffer | Uint8Array | string)[];
  /**
   * The C2SP signed-note checkpoint, signature lines included.
   */
  checkpoint?: string;
  /**
   * The log's note verifier key (name+id+key); the witness keeps the first it sees for the node.
   */
  logVkey?: string;
}

export interface AddCheckpointRequest__Output {
  /**
   * Must match the call's authenticated node.
   */
  nodeId: string;
  /**
   * The size of the checkpoint the witness last cosigned for this node (0 at first).
   */
  oldSize: number;
  /**
   * RFC 6962 consistency proof from old_size to the checkpoint's size; at most 63 hashes.
   */
  consistencyProof: Buffer[];
  /**
   * The C2SP signed-note checkpoint, signature lines included.
   */
  checkpoint: string;
  /**
   * The log's note verifier key (name+id+key); the witness keeps the first it sees for the node.
   */
  logVkey: string;
}
