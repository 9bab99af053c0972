// Original file: proto/idnode/v1/registry.proto

export interface RequestDelegationRequest {
  prefix?: string;
  nodeId?: string;
  /**
   * Move an existing delegation to node_id (explicit transfer); refused without it.
   */
  transfer?: boolean;
  /**
   * Retries with the same key return the first decision.
   */
  idempotencyKey?: string;
}

export interface RequestDelegationRequest__Output {
  prefix: string;
  nodeId: string;
  /**
   * Move an existing delegation to node_id (explicit transfer); refused without it.
   */
  transfer: boolean;
  /**
   * Retries with the same key return the first decision.
   */
  idempotencyKey: string;
}
