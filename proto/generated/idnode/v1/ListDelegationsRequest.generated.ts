// Original file: proto/idnode/v1/registry.proto

export interface ListDelegationsRequest {
  /**
   * Only delegations at or under this prefix; empty for all.
   */
  underPrefix?: string;
  pageSize?: number;
  /**
   * From the previous page's next_page_token; empty for the first page.
   */
  pageToken?: string;
}

export interface ListDelegationsRequest__Output {
  /**
   * Only delegations at or under this prefix; empty for all.
   */
  underPrefix: string;
  pageSize: number;
  /**
   * From the previous page's next_page_token; empty for the first page.
   */
  pageToken: string;
}
