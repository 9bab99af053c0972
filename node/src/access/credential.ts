import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { IdnError } from '../errors/idn-error.ts';
import type { ErrorCode } from '../errors/codes.ts';
import { isPurpose, type Purpose } from './purposes.ts';
import {
  CREDENTIAL_ALGORITHMS,
  CREDENTIAL_ROLES,
  type CredentialRole,
  type TrustedIssuer,
  type TrustedIssuers,
} from './trusted-issuers.ts';
import { wallClock, type WallClock } from '../auth/clock.ts';

/**
 * Passport access credentials: a JWT (`Authorization: Bearer eyJ…`) signed by an issuer the
 * node trusts, with claims `iss`, `sub`, `role`, `purpose` (legitimate interest), `exp`, optional
 * `nbf` and `aud`. The node's own admin tokens start with `idn1.` and never reach this code.
 */
export interface Credential {
  readonly issuer: string;
  readonly subject: string;
  readonly role: CredentialRole;
  readonly purpose: Purpose | undefined;
  /** Empty when the credential names no audience (valid at any node that trusts its issuer). */
  readonly audience: readonly string[];
  /** Seconds since the epoch. */
  readonly exp: number;
}

/** Clock skew allowed between issuer and node, for exp and nbf. */
const CLOCK_TOLERANCE_S = 30;

/** JWT compact form: three base64url parts; header and claims are JSON objects ("eyJ" = `{"`). */
export const looksLikeJwt = (token: string): boolean => token.startsWith('eyJ') && token.split('.').length === 3;

const fail = (code: ErrorCode, message?: string): never => {
  throw new IdnError(code, message);
};

function headerAlg(token: string): string {
  try {
    const alg = decodeProtectedHeader(token).alg;
    return typeof alg === 'string' ? alg : fail('IDN_ERR_CREDENTIAL_MALFORMED', 'The JWT header has no "alg".');
  } catch (e) {
    if (e instanceof IdnError) throw e;
    return fail('IDN_ERR_CREDENTIAL_MALFORMED');
  }
}

function unverifiedIssuer(token: string): string {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    return fail('IDN_ERR_CREDENTIAL_MALFORMED');
  }
  return typeof claims.iss === 'string'
    ? claims.iss
    : fail('IDN_ERR_CREDENTIAL_CLAIMS', 'The credential has no "iss".');
}

/** jose's errors mapped onto ours, so each refusal says exactly what was wrong. */
function mapJoseError(e: unknown): IdnError {
  if (e instanceof IdnError) return e;
  if (e instanceof joseErrors.JWTExpired) return new IdnError('IDN_ERR_CREDENTIAL_EXPIRED');
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'nbf') return new IdnError('IDN_ERR_CREDENTIAL_NOT_YET_VALID');
    return new IdnError('IDN_ERR_CREDENTIAL_CLAIMS', `The credential claim "${e.claim}" is missing or invalid.`);
  }
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return new IdnError('IDN_ERR_CREDENTIAL_ALGORITHM');
  if (e instanceof joseErrors.JWSSignatureVerificationFailed || e instanceof joseErrors.JWKSNoMatchingKey) {
    return new IdnError('IDN_ERR_CREDENTIAL_SIGNATURE');
  }
  if (e instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return new IdnError('IDN_ERR_CREDENTIAL_SIGNATURE', 'Several issuer keys match; the credential must name a "kid".');
  }
  return new IdnError('IDN_ERR_CREDENTIAL_MALFORMED');
}

function roleOf(claims: JWTPayload, issuer: TrustedIssuer): CredentialRole {
  const role = claims.role;
  if (!(CREDENTIAL_ROLES as readonly unknown[]).includes(role)) {
    return fail('IDN_ERR_CREDENTIAL_ROLE', `The credential role must be one of ${CREDENTIAL_ROLES.join(', ')}.`);
  }
  const r = role as CredentialRole;
  if (!issuer.allowedRoles.has(r)) fail('IDN_ERR_CREDENTIAL_ROLE', `Issuer ${issuer.iss} may not grant role ${r}.`);
  return r;
}

function purposeOf(claims: JWTPayload, role: CredentialRole): Purpose | undefined {
  const p = claims.purpose;
  if (p === undefined && role === 'authority') return undefined;
  if (isPurpose(p)) return p;
  return fail(
    'IDN_ERR_CREDENTIAL_PURPOSE',
    p === undefined
      ? 'A legitimate-interest credential must declare a "purpose" (repair, dismantling, recycling, ...).'
      : `Unknown purpose ${JSON.stringify(p).slice(0, 40)}; see the documented vocabulary.`,
  );
}

function audienceOf(claims: JWTPayload): string[] {
  const aud = claims.aud;
  if (aud === undefined) return [];
  return typeof aud === 'string' ? [aud] : aud;
}

/** Verifies signature, algorithm, issuer, time, role and purpose; the audience is checked per read. */
export async function verifyCredential(
  token: string,
  trust: TrustedIssuers,
  clock: WallClock = wallClock,
): Promise<Credential> {
  const alg = headerAlg(token);
  if (!(CREDENTIAL_ALGORITHMS as readonly string[]).includes(alg)) {
    fail('IDN_ERR_CREDENTIAL_ALGORITHM', `Algorithm "${alg.slice(0, 20)}" is refused; use ES256 or EdDSA.`);
  }
  const iss = unverifiedIssuer(token);
  const issuer = trust.issuers.get(iss) ?? fail('IDN_ERR_CREDENTIAL_UNKNOWN_ISSUER');
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, issuer.keys, {
      issuer: iss,
      algorithms: [...CREDENTIAL_ALGORITHMS],
      requiredClaims: ['exp', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_S,
      // Never earlier than a time already seen: a clock stepped back does not revive an expired credential.
      currentDate: new Date(clock.nowMs()),
    }));
  } catch (e) {
    throw mapJoseError(e);
  }
  if (typeof claims.sub !== 'string' || claims.sub === '')
    fail('IDN_ERR_CREDENTIAL_CLAIMS', 'The "sub" claim is empty.');
  const role = roleOf(claims, issuer);
  return {
    issuer: iss,
    subject: claims.sub!,
    role,
    purpose: purposeOf(claims, role),
    audience: audienceOf(claims),
    exp: claims.exp!,
  };
}

/**
 * The audience check: no `aud` means any node trusting the issuer; otherwise one entry must name
 * this node (a configured audience) or a prefix covering the identifier ("88.100" covers
 * "88.100.5/X"), so a recycler's credential for one enterprise is useless for another.
 */
export function audienceCovers(cred: Credential, nodeAudience: readonly string[], handle: string): boolean {
  if (cred.audience.length === 0) return true;
  const prefix = handle.slice(0, handle.indexOf('/')).toLowerCase();
  for (const a of cred.audience) {
    if (nodeAudience.includes(a)) return true;
    const p = a.toLowerCase();
    if (prefix === p || prefix.startsWith(`${p}.`)) return true;
  }
  return false;
}

/**
 * Verified credentials by token, until they expire: a scanner app sends the same token with every
 * scan, and one signature check per token is enough. Bounded; the oldest entry goes first.
 */
export class CredentialVerifier {
  private readonly trust: TrustedIssuers;
  private readonly verified = new Map<string, Credential>();
  private readonly max: number;

  private readonly clock: WallClock;

  constructor(trust: TrustedIssuers, max = 10_000, clock: WallClock = wallClock) {
    this.trust = trust;
    this.max = max;
    this.clock = clock;
  }

  get audience(): readonly string[] {
    return this.trust.audience;
  }

  async verify(token: string): Promise<Credential> {
    const hit = this.verified.get(token);
    if (hit !== undefined && hit.exp + CLOCK_TOLERANCE_S > this.clock.nowSeconds()) return hit;
    if (hit !== undefined) this.verified.delete(token);
    const cred = await verifyCredential(token, this.trust, this.clock);
    if (this.verified.size >= this.max) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, cred);
    return cred;
  }
}
