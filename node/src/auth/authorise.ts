import { IdnError } from '../errors/idn-error.ts';
import { adminRefs } from '../records/admin-value.ts';
import { identifierKey } from '../identifier/index.ts';
import { permNames } from '../records/permissions.ts';
import type { HandleValue } from '../records/types.ts';
import { identityName, type Identity } from './identity.ts';

/** True when one of the HS_ADMIN values names this identity with every bit of `needed`. */
export function hasPermissions(identity: Identity, admins: readonly HandleValue[], needed: number): boolean {
  if ((identity.permMask & needed) !== needed) return false;
  for (const { ref, mask } of adminRefs(admins)) {
    if (
      ref.index === identity.index &&
      identifierKey(ref.handle) === identity.handleKey &&
      (mask & needed) === needed
    ) {
      return true;
    }
  }
  return false;
}

export function requirePermissions(
  identity: Identity | undefined,
  admins: readonly HandleValue[],
  needed: number,
  target: string,
): void {
  if (identity === undefined) throw new IdnError('IDN_ERR_AUTH_REQUIRED');
  if (needed === 0 || hasPermissions(identity, admins, needed)) return;
  throw new IdnError(
    'IDN_ERR_NOT_AUTHORIZED',
    `${identityName(identity)} lacks ${permNames(needed).join(', ')} on ${target}.`,
    { identity: identityName(identity), needed: permNames(needed), target },
  );
}
