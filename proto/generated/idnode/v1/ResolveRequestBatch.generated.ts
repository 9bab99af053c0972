// Original file: proto/idnode/v1/resolution.proto

import type {
  ResolveRequest as _idnode_v1_ResolveRequest,
  ResolveRequest__Output as _idnode_v1_ResolveRequest__Output,
} from '../../idnode/v1/ResolveRequest.generated.ts';

/**
 * Requests of one ResolveBatchStream message; each keeps its own request_id and hop fields.
 */
export interface ResolveRequestBatch {
  requests?: _idnode_v1_ResolveRequest[];
}

/**
 * Requests of one ResolveBatchStream message; each keeps its own request_id and hop fields.
 */
export interface ResolveRequestBatch__Output {
  requests: _idnode_v1_ResolveRequest__Output[];
}
