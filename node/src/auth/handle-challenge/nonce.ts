import { randomBytes } from 'node:crypto';

/** A server nonce for a challenge: 16 random bytes, as CNRI sends (handle_protocol.md §5.1). */
export const NONCE_BYTES = 16;

export const newNonce = (): Buffer => randomBytes(NONCE_BYTES);
