import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, type JSONWebKeySet, type JWK } from 'jose';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Who may vouch for a passport reader: the issuers this node trusts, by configuration
 * (IDNODE_TRUSTED_ISSUERS = path of a JSON file). Keys are inline public JWKs so that
 * resolution never waits on a network fetch of a JWKS endpoint.
 *
 * ```json
 * { "audience": ["https://id.example.com"],
 *   "issuers": [{ "iss": "https://recyclers.example.eu", "allowedRoles": ["legitimate-interest"],
 *                 "jwks": { "keys": [{ "kty": "EC", "crv": "P-256", "x": "…", "y": "…", "kid": "k1" }] } }] }
 * ```
 */

export const CREDENTIAL_ROLES = ['legitimate-interest', 'authority'] as const;
export type CredentialRole = (typeof CREDENTIAL_ROLES)[number];

/** Only asymmetric algorithms: a shared HMAC secret would let every verifier mint credentials. */
export const CREDENTIAL_ALGORITHMS = ['ES256', 'EdDSA'] as const;

const PublicJwk = Type.Object(
  {
    kty: Type.Union([Type.Literal('EC'), Type.Literal('OKP')]),
    crv: Type.Union([Type.Literal('P-256'), Type.Literal('Ed25519')]),
    x: Type.String({ minLength: 1 }),
    y: Type.Optional(Type.String({ minLength: 1 })),
    kid: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    alg: Type.Optional(Type.Union([Type.Literal('ES256'), Type.Literal('EdDSA'), Type.Literal('Ed25519')])),
    use: Type.Optional(Type.Literal('sig')),
  },
  // A private part ("d") in the trust file is a configuration mistake worth refusing loudly.
  { additionalProperties: false },
);

const IssuerEntry = Type.Object(
  {
    iss: Type.String({ minLength: 1, maxLength: 500 }),
    jwks: Type.Union([
      Type.Object({ keys: Type.Array(PublicJwk, { minItems: 1, maxItems: 20 }) }),
      Type.Array(PublicJwk, { minItems: 1, maxItems: 20 }),
    ]),
    allowedRoles: Type.Array(Type.Union(CREDENTIAL_ROLES.map((r) => Type.Literal(r))), { minItems: 1 }),
  },
  { additionalProperties: false },
);

const TrustFile = Type.Object(
  {
    /** Audiences naming this node (its public URLs); a prefix in `aud` scopes a credential instead. */
    audience: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 20 })),
    issuers: Type.Array(IssuerEntry, { maxItems: 200 }),
  },
  { additionalProperties: false },
);
type TrustFile = Static<typeof TrustFile>;

export interface TrustedIssuer {
  readonly iss: string;
  readonly allowedRoles: ReadonlySet<CredentialRole>;
  readonly keys: ReturnType<typeof createLocalJWKSet>;
}

export interface TrustedIssuers {
  readonly issuers: ReadonlyMap<string, TrustedIssuer>;
  readonly audience: readonly string[];
}

export const NO_TRUSTED_ISSUERS: TrustedIssuers = { issuers: new Map(), audience: [] };

export class TrustConfigError extends Error {
  readonly file: string;
  /** What is wrong with the file, each on its own. */
  readonly reasons: readonly string[];
  constructor(file: string, reasons: readonly string[]) {
    super(`${file}: ${reasons.join('; ')}`);
    this.file = file;
    this.reasons = reasons;
  }
}

/** Validates a parsed trust file; every problem is listed. */
export function trustedIssuersFrom(json: unknown, file = 'trusted issuers'): TrustedIssuers {
  if (!Value.Check(TrustFile, json)) {
    throw new TrustConfigError(
      file,
      [...Value.Errors(TrustFile, json)].slice(0, 10).map((e) => `${e.instancePath || '/'}: ${e.message}`),
    );
  }
  const cfg: TrustFile = json;
  const issuers = new Map<string, TrustedIssuer>();
  for (const entry of cfg.issuers) {
    if (issuers.has(entry.iss)) throw new TrustConfigError(file, [`issuer "${entry.iss}" is listed twice`]);
    const keys: JWK[] = Array.isArray(entry.jwks) ? entry.jwks : entry.jwks.keys;
    const set: JSONWebKeySet = { keys };
    issuers.set(entry.iss, { iss: entry.iss, allowedRoles: new Set(entry.allowedRoles), keys: createLocalJWKSet(set) });
  }
  return { issuers, audience: cfg.audience ?? [] };
}

export async function loadTrustedIssuers(file: string | undefined): Promise<TrustedIssuers> {
  if (file === undefined) return NO_TRUSTED_ISSUERS;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new TrustConfigError(file, [`cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TrustConfigError(file, [`it is not JSON (${(e as Error).message})`]);
  }
  return trustedIssuersFrom(json, file);
}
