// Original file: proto/idnode/v1/sync.proto

import type {
  ErrorDetail as _idnode_v1_ErrorDetail,
  ErrorDetail__Output as _idnode_v1_ErrorDetail__Output,
} from '../../idnode/v1/ErrorDetail.generated.ts';
import type { Long } from '@grpc/proto-loader';

export interface Ack {
  /**
   * Every seq up to and including this one is durably applied.
   */
  appliedThrough?: number | string | Long;
  /**
   * Set when the server saw a gap (a seq above applied_through + 1): resend from this seq.
   */
  resendFrom?: number | string | Long;
  /**
   * Set when an entry could not be applied; the stream then ends with an error status.
   */
  error?: _idnode_v1_ErrorDetail | null;
}

export interface Ack__Output {
  /**
   * Every seq up to and including this one is durably applied.
   */
  appliedThrough: number;
  /**
   * Set when the server saw a gap (a seq above applied_through + 1): resend from this seq.
   */
  resendFrom: number;
  /**
   * Set when an entry could not be applied; the stream then ends with an error status.
   */
  error: _idnode_v1_ErrorDetail__Output | null;
}
