// Original file: proto/idnode/v1/resolution.proto

import type {
  ResolveResponse as _idnode_v1_ResolveResponse,
  ResolveResponse__Output as _idnode_v1_ResolveResponse__Output,
} from '../../idnode/v1/ResolveResponse.generated.ts';

/**
 * Answers of one ResolveBatchStream message.
 */
export interface ResolveResponseBatch {
  responses?: _idnode_v1_ResolveResponse[];
}

/**
 * Answers of one ResolveBatchStream message.
 */
export interface ResolveResponseBatch__Output {
  responses: _idnode_v1_ResolveResponse__Output[];
}
