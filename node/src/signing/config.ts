import { Type } from 'typebox';
import type { ConfigSection } from '../config-kit/section.ts';
import { enumVar } from '../config-kit/vars.ts';

/**
 * When the node signs its resolution answers (RFC 9421, ADR 0011): never, when the client sends
 * `Accept-Signature` (RFC 9421 §5), or always. The key lives in `<data dir>/signing-key` either way
 * (the JWKS and HS_PUBKEY publish it), so switching the mode never changes the node's identity.
 */
export type SignMode = 'off' | 'requested' | 'always';

export interface SigningSettings {
  readonly mode: SignMode;
}

const MODES = ['off', 'requested', 'always'] as const satisfies readonly SignMode[];

const raw = Type.Object({
  IDNODE_SIGN_ANSWERS: enumVar(MODES, {
    description: 'sign resolution answers (RFC 9421 Ed25519): off, requested (Accept-Signature) or always',
    default: 'requested',
  }),
});

export const signingSection: ConfigSection<typeof raw.properties, SigningSettings> = {
  name: 'signing',
  raw,
  normalise: (v) => ({ mode: v.IDNODE_SIGN_ANSWERS }),
};
