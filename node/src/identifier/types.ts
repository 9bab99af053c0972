/** An identifier accepted by the parser, in its registered (NFC) spelling plus lookup keys. */
export interface ParsedIdentifier {
  /** Registered spelling of the prefix, e.g. '88.100.5' or '0.NA'. */
  readonly prefix: string;
  /** Registered spelling (NFC) of the suffix; "/" separates suffix segments. */
  readonly suffix: string;
  /** prefix + '/' + suffix. */
  readonly handle: string;
  /** Lookup key: handle with ASCII letters lower-cased (non-ASCII untouched). */
  readonly key: string;
  /** prefix with ASCII letters lower-cased. */
  readonly prefixKey: string;
  /** The prefix split on ".", registered spelling (not lower-cased). */
  readonly prefixSegments: readonly string[];
}

export interface ParsedPrefix {
  readonly prefix: string;
  readonly prefixKey: string;
  /** The prefix split on ".", registered spelling. */
  readonly segments: readonly string[];
}

/**
 * 'uri': raw URL path text, percent-decoded exactly once by the parser.
 * 'text': already-decoded text (gRPC, CLI, JSON bodies); never decoded.
 */
export type InputEncoding = 'uri' | 'text';

/** What is being parsed, so errors name the right part and code. */
export type ParseTarget = 'identifier' | 'prefix';
