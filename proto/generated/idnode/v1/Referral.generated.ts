// Original file: proto/idnode/v1/resolution.proto

/**
 * Where to ask instead (Handle HS_SITE-style service information).
 */
export interface Referral {
  nodeId?: string;
  grpcAddress?: string;
  /**
   * The delegated prefix that matched (longest-prefix match), e.g. "88.100".
   */
  prefix?: string;
}

/**
 * Where to ask instead (Handle HS_SITE-style service information).
 */
export interface Referral__Output {
  nodeId: string;
  grpcAddress: string;
  /**
   * The delegated prefix that matched (longest-prefix match), e.g. "88.100".
   */
  prefix: string;
}
