// Original file: proto/idnode/v1/registry.proto

export interface LookupPrefixRequest {
  /**
   * A prefix ("88.100.5.2") or a whole identifier's prefix part.
   */
  prefix?: string;
}

export interface LookupPrefixRequest__Output {
  /**
   * A prefix ("88.100.5.2") or a whole identifier's prefix part.
   */
  prefix: string;
}
