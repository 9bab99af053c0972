import { createHash } from 'node:crypto';

/** An Ed25519 public key as a JWK (RFC 8037 §2), with its RFC 7638 thumbprint as `kid`. */
export interface PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

/**
 * RFC 7638 §3: SHA-256 over the required members only, in lexicographic order, with no
 * whitespace (for OKP: crv, kty, x; RFC 8037 §2), base64url without padding.
 */
export function jwkThumbprint(x: string): string {
  const canonical = `{"crv":"Ed25519","kty":"OKP","x":"${x}"}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

export function publicJwk(publicKey: Buffer): PublicJwk {
  const x = publicKey.toString('base64url');
  return { kty: 'OKP', crv: 'Ed25519', x, kid: jwkThumbprint(x), alg: 'EdDSA', use: 'sig' };
}
