import type { HandleValue } from './types.ts';

/**
 * idnode's own prefix policies, kept as an ordinary typed value on `0.NA/<prefix>` so they travel
 * with the prefix record (sync, backups, `GET /api/handles/0.NA/<prefix>`) and are set with the
 * same PUT as any value. Handle clients ignore an unknown type, so they are unaffected.
 *
 *   { "index": 10, "type": "IDNODE_POLICY", "data": { "format": "json", "value": { "neverReuse": true } } }
 *
 * `neverReuse`: a deleted identifier under the prefix is never created again (Handle's default,
 * which idnode follows otherwise, lets the name be created anew).
 */
export const POLICY_TYPE = 'IDNODE_POLICY';

export interface PrefixPolicy {
  readonly neverReuse?: boolean;
}

export const POLICY_KEYS: readonly (keyof PrefixPolicy)[] = ['neverReuse'];

export const isPolicyType = (type: string): boolean => type.toUpperCase() === POLICY_TYPE;

/** The policy a stored (validated) IDNODE_POLICY value sets. */
export function policyOf(v: HandleValue): PrefixPolicy {
  const p = v.data.value as PrefixPolicy | null;
  return p !== null && typeof p === 'object' ? p : {};
}
