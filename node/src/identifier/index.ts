/** The one identifier parser, shared by HTTP, gRPC and the CLI. */
export { LIMITS } from './limits.ts';
export { parseIdentifier, parsePrefix } from './parse.ts';
export { identifierKey, isUnderPrefix } from './key.ts';
export type { InputEncoding, ParsedIdentifier, ParsedPrefix } from './types.ts';
