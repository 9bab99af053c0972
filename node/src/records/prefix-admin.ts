import { randomBytes } from 'node:crypto';
import { formatPermissions, PERM_ALL } from './permissions.ts';
import type { ValueInput } from './schema.ts';
import type { HandleValue } from './types.ts';

/**
 * The values every prefix P carries, whoever creates it (the node's bootstrap for homed
 * prefixes, the registry on approval): `0.NA/P` names `300:P/ADMIN` with all rights, and
 * `P/ADMIN` holds that admin's secret at index 300 (RecordService stores it sealed, ADR 0002).
 */

export const ADMIN_KEY_INDEX = 300;
export const adminHandleOf = (prefix: string): string => `${prefix}/ADMIN`;

/** A fresh admin secret: 24 random bytes, URL-safe. */
export const newSecret = (): string => randomBytes(24).toString('base64url');

/** HS_ADMIN at index 100 naming `300:<adminHandle>` with every permission. */
export function prefixAdminValue(adminHandle: string, now: string): HandleValue {
  const value = { handle: adminHandle, index: ADMIN_KEY_INDEX, permissions: formatPermissions(PERM_ALL) };
  return {
    index: 100,
    type: 'HS_ADMIN',
    data: { format: 'admin', value },
    ttl: 86_400,
    timestamp: now,
    access: 'public',
  };
}

/** prefixAdminValue as a client sends it, for a change set (RecordService validates and stamps it). */
export function prefixAdminInput(adminHandle: string): ValueInput {
  const value = { handle: adminHandle, index: ADMIN_KEY_INDEX, permissions: formatPermissions(PERM_ALL) };
  return { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value } };
}

/** The admin secret in the clear, for a change set: RecordService seals it (ADR 0002) before it is stored. */
export const secretKeyInput = (secret: string): ValueInput => ({
  index: ADMIN_KEY_INDEX,
  type: 'HS_SECKEY',
  data: secret,
});
