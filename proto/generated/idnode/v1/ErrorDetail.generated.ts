// Original file: proto/idnode/v1/common.proto

/**
 * A coded error from the node's one error table (node/src/errors/codes.ts).
 */
export interface ErrorDetail {
  /**
   * "IDN_ERR_NOT_FOUND", "IDN_ERR_PREFIX_TAKEN", ...
   */
  code?: string;
  /**
   * The Handle response code (RFC 3652) the code maps to, e.g. 100, 301, 400.
   */
  handleRc?: number;
  message?: string;
  /**
   * Machine-readable facts (limits, offending positions) as a JSON object; empty when none.
   */
  detailJson?: string;
}

/**
 * A coded error from the node's one error table (node/src/errors/codes.ts).
 */
export interface ErrorDetail__Output {
  /**
   * "IDN_ERR_NOT_FOUND", "IDN_ERR_PREFIX_TAKEN", ...
   */
  code: string;
  /**
   * The Handle response code (RFC 3652) the code maps to, e.g. 100, 301, 400.
   */
  handleRc: number;
  message: string;
  /**
   * Machine-readable facts (limits, offending positions) as a JSON object; empty when none.
   */
  detailJson: string;
}
