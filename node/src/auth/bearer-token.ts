import { createHmac, timingSafeEqual } from 'node:crypto';
import { wallClock } from './clock.ts';

/**
 * Bearer tokens for clients that cannot do HTTP Basic per request: stateless, HMAC-signed with
 * the node's token key, bound to an admin identity and to the version of that admin's key record
 * at issue time, so rotating the admin secret revokes every token issued before.
 */

export interface TokenClaims {
  /** `<index>:<admin-handle>` */
  readonly sub: string;
  /** Version of the admin handle's record when issued. */
  readonly kv: number;
  /** Permission mask the token may use (a subset of the admin's). */
  readonly perm: number;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
}

const PREFIX = 'idn1';

const sign = (key: Buffer, payload: string): string => createHmac('sha256', key).update(payload).digest('base64url');

export function issueToken(key: Buffer, claims: TokenClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${PREFIX}.${payload}.${sign(key, payload)}`;
}

/** Returns the claims of a well-signed, unexpired token, or undefined. */
export function verifyToken(key: Buffer, token: string, nowSec = wallClock.nowSeconds()): TokenClaims | undefined {
  const [tag, payload, sig] = token.split('.');
  if (tag !== PREFIX || payload === undefined || sig === undefined) return undefined;
  const expected = Buffer.from(sign(key, payload));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  let claims: Partial<TokenClaims>;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<TokenClaims>;
  } catch {
    return undefined;
  }
  const ok =
    typeof claims.sub === 'string' &&
    typeof claims.kv === 'number' &&
    typeof claims.perm === 'number' &&
    typeof claims.exp === 'number';
  return ok && claims.exp! > nowSec ? (claims as TokenClaims) : undefined;
}
