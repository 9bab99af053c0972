import { hasPermissions } from '../auth/authorise.ts';
import { identityName } from '../auth/identity.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import { Perm } from '../records/permissions.ts';
import type { AccessTier, StoredRecord } from '../records/types.ts';

/**
 * Who reads a record, and so which values they may see. Anonymous scans are `public`; an admin
 * of the record with READ_VALUE sees everything. Passport access credentials (legitimate
 * interest, authority) plug in here, and every non-public read is audited from here.
 */
export interface Reader {
  readonly tier: AccessTier;
  readonly via: 'anonymous' | 'admin' | 'credential';
  /** Who: an admin `index:handle` or a credential subject. */
  readonly subject?: string;
  /** The declared purpose of a legitimate-interest read (repair, dismantling, recycling, ...). */
  readonly purpose?: string;
}

export const ANONYMOUS: Reader = { tier: 'public', via: 'anonymous' };

export interface ReaderResolver {
  /** `publicOnly` (Handle's flag) forces the public view whoever asks. */
  readerFor(authorization: string | undefined, record: StoredRecord, publicOnly: boolean): Promise<Reader>;
}

export function createReaderResolver(authenticator: Authenticator): ReaderResolver {
  return {
    async readerFor(authorization, record, publicOnly) {
      // The common case, an anonymous scan, costs no promise work beyond this check.
      if (authorization === undefined || publicOnly) return ANONYMOUS;
      const identity = await authenticator.authenticate(authorization);
      if (identity === undefined) return ANONYMOUS;
      const tier = hasPermissions(identity, record.values, Perm.READ_VALUE) ? 'authority' : 'public';
      return { tier, via: 'admin', subject: identityName(identity) };
    },
  };
}
