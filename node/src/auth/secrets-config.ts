import { Type } from 'typebox';
import type { ConfigSection } from '../config-kit/section.ts';
import { textVar } from '../config-kit/vars.ts';

/**
 * Secrets given by the operator instead of generated once under the data directory. Their values
 * are never echoed in a problem, and they have no flags (argv is visible to every user).
 */
export interface SecretSettings {
  /** Secret of `300:<prefix>/ADMIN` for every homed prefix; undefined: generated once. */
  readonly adminSecret: string | undefined;
  /** Key signing Bearer tokens; undefined: generated once. */
  readonly tokenKey: Buffer | undefined;
  /** Key sealing HS_SECKEY values (AES-256-GCM, ADR 0002); undefined: `<data dir>/seal-key`. */
  readonly sealKey: Buffer | undefined;
}

const raw = Type.Object({
  IDNODE_ADMIN_SECRET: Type.Optional(
    textVar(
      '12-256 characters',
      {
        description: 'secret of 300:<prefix>/ADMIN for every homed prefix',
        defaultText: 'generated once into <data dir>/admin-credentials.json (0600)',
        secret: true,
      },
      { minLength: 12, maxLength: 256 },
    ),
  ),
  IDNODE_TOKEN_KEY: Type.Optional(
    textVar(
      'base64 of at least 32 bytes, e.g. from `openssl rand -base64 32`',
      {
        description: 'key signing Bearer tokens (share it between instances)',
        defaultText: 'generated once into <data dir>/token-key (0600)',
        secret: true,
      },
      { pattern: '^[A-Za-z0-9+/_-]{43,}={0,2}$' },
    ),
  ),
  IDNODE_SEAL_KEY: Type.Optional(
    textVar(
      'base64 of exactly 32 bytes, e.g. from `openssl rand -base64 32`',
      {
        description: "key sealing the admins' secret keys in the store (share it between instances of one store)",
        defaultText: 'generated once into <data dir>/seal-key (0600)',
        secret: true,
      },
      // 32 bytes are 43 base64 characters and one "=" (or 43 unpadded, base64url too).
      { pattern: '^[A-Za-z0-9+/_-]{43}=?$' },
    ),
  ),
});

export const secretsSection: ConfigSection<typeof raw.properties, SecretSettings> = {
  name: 'secrets',
  raw,
  normalise: (v) => ({
    adminSecret: v.IDNODE_ADMIN_SECRET,
    tokenKey: v.IDNODE_TOKEN_KEY === undefined ? undefined : Buffer.from(v.IDNODE_TOKEN_KEY, 'base64'),
    sealKey: v.IDNODE_SEAL_KEY === undefined ? undefined : Buffer.from(v.IDNODE_SEAL_KEY, 'base64'),
  }),
};
