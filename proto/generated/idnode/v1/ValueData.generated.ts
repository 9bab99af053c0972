// Original file: proto/idnode/v1/common.proto

/**
 * The data of a handle value: the Handle REST "format" plus the value itself.
 */
export interface ValueData {
  /**
   * "string", "admin", "site", "base64", "hex", "vlist", "key", "json", "scrypt", ...
   */
  format?: string;
  /**
   * The value as JSON text (a JSON string for format "string", an object for "admin"/"site"/...).
   */
  json?: string;
  /**
   * Raw bytes, for binary formats where a JSON detour would only cost space. idnode sends JSON text
   * only; it reads raw bytes for formats "base64" and "hex" (as that text) and refuses them otherwise.
   */
  raw?: Buffer | Uint8Array | string;
  payload?: 'json' | 'raw';
}

/**
 * The data of a handle value: the Handle REST "format" plus the value itself.
 */
export interface ValueData__Output {
  /**
   * "string", "admin", "site", "base64", "hex", "vlist", "key", "json", "scrypt", ...
   */
  format: string;
  /**
   * The value as JSON text (a JSON string for format "string", an object for "admin"/"site"/...).
   */
  json?: string;
  /**
   * Raw bytes, for binary formats where a JSON detour would only cost space. idnode sends JSON text
   * only; it reads raw bytes for formats "base64" and "hex" (as that text) and refuses them otherwise.
   */
  raw?: Buffer;
  payload?: 'json' | 'raw';
}
