// Original file: proto/idnode/v1/registry.proto

/**
 * One site serving a prefix (after Handle's HS_SITE: primary flag, addresses).
 */
export interface SiteInfo {
  nodeId?: string;
  grpcAddress?: string;
  httpAddress?: string;
  /**
   * The primary site takes writes; others are mirrors (e.g. the top-level node's synced copy).
   */
  primary?: boolean;
}

/**
 * One site serving a prefix (after Handle's HS_SITE: primary flag, addresses).
 */
export interface SiteInfo__Output {
  nodeId: string;
  grpcAddress: string;
  httpAddress: string;
  /**
   * The primary site takes writes; others are mirrors (e.g. the top-level node's synced copy).
   */
  primary: boolean;
}
