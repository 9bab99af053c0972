// Original file: proto/idnode/v1/sync.proto

import type {
  ErrorDetail as _idnode_v1_ErrorDetail,
  ErrorDetail__Output as _idnode_v1_ErrorDetail__Output,
} from '../../idnode/v1/ErrorDetail.generated.ts';
import type { Long } from '@grpc/proto-loader';

export interface AddCheckpointResponse {
  /**
   * The witness's cosignature lines (each "— <name> <base64>\n"), when cosigned.
   */
  cosignatures?: string;
  /**
   * With IDN_ERR_WITNESS_OLD_SIZE: the size the witness last cosigned; prove from there.
   */
  knownSize?: number | string | Long;
  /**
   * Set when refused.
   */
  error?: _idnode_v1_ErrorDetail | null;
  /**
   * The witness's cosigner verifier key (name+id+base64(0x04 || key)).
   */
  witnessVkey?: string;
}

export interface AddCheckpointResponse__Output {
  /**
   * The witness's cosignature lines (each "— <name> <base64>\n"), when cosigned.
   */
  cosignatures: string;
  /**
   * With IDN_ERR_WITNESS_OLD_SIZE: the size the witness last cosigned; prove from there.
   */
  knownSize: number;
  /**
   * Set when refused.
   */
  error: _idnode_v1_ErrorDetail__Output | null;
  /**
   * The witness's cosigner verifier key (name+id+base64(0x04 || key)).
   */
  witnessVkey: string;
}
