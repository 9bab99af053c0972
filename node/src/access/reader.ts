import { hasPermissionsVia } from '../auth/authorise.ts';
import { identityName } from '../auth/identity.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import { IdnError } from '../errors/idn-error.ts';
import { Perm } from '../records/permissions.ts';
import type { AccessTier, StoredRecord } from '../records/types.ts';
import { audienceCovers, CredentialVerifier, looksLikeJwt } from './credential.ts';
import { NO_TRUSTED_ISSUERS, type TrustedIssuers } from './trusted-issuers.ts';

/**
 * Who reads a record, and so which values they may see. Anonymous scans are `public`; an admin
 * of the record with READ_VALUE sees everything; a passport credential (a JWT from a trusted
 * issuer) grants its role: `legitimate-interest` (with a purpose) or `authority`.
 */
export interface Reader {
  readonly tier: AccessTier;
  readonly via: 'anonymous' | 'admin' | 'credential';
  /** Who: an admin `index:handle` or a credential subject. */
  readonly subject?: string;
  /** The declared purpose of a legitimate-interest read (repair, dismantling, recycling, ...). */
  readonly purpose?: string;
  /** The credential's issuer (`iss`), for `via: 'credential'`. */
  readonly issuer?: string;
}

export const ANONYMOUS: Reader = { tier: 'public', via: 'anonymous' };

export interface ReaderResolver {
  /** `publicOnly` (Handle's flag) forces the public view whoever asks. */
  readerFor(
    authorization: string | undefined,
    record: StoredRecord,
    publicOnly: boolean,
    client?: string,
  ): Promise<Reader>;
}

/** `Bearer eyJ…` (three parts) is a passport credential; `Bearer idn1.…` and Basic are admins. */
function bearerJwt(authorization: string): string | undefined {
  if (authorization.length < 8 || authorization.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = authorization.slice(7).trim();
  return looksLikeJwt(token) ? token : undefined;
}

export function createReaderResolver(
  authenticator: Authenticator,
  trust: TrustedIssuers = NO_TRUSTED_ISSUERS,
): ReaderResolver {
  const credentials = new CredentialVerifier(trust);
  return {
    async readerFor(authorization, record, publicOnly, client) {
      // The common case, an anonymous scan, costs no promise work beyond this check.
      if (authorization === undefined || publicOnly) return ANONYMOUS;
      const jwt = bearerJwt(authorization);
      if (jwt !== undefined) {
        const cred = await credentials.verify(jwt);
        if (!audienceCovers(cred, credentials.audience, record.handle))
          throw new IdnError('IDN_ERR_CREDENTIAL_AUDIENCE');
        return {
          tier: cred.role,
          via: 'credential',
          subject: cred.subject,
          issuer: cred.issuer,
          ...(cred.purpose === undefined ? {} : { purpose: cred.purpose }),
        };
      }
      const identity = await authenticator.authenticate(authorization, client);
      if (identity === undefined) return ANONYMOUS;
      // An admin of the record, directly or as a member of an HS_VLIST group its HS_ADMIN names.
      const admin = await hasPermissionsVia(identity, record.values, Perm.READ_VALUE, authenticator.groups);
      const tier = admin ? 'authority' : 'public';
      return { tier, via: 'admin', subject: identityName(identity) };
    },
  };
}
