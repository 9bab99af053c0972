import type { HandleValue } from './types.ts';
import { PERMISSION_STRING, parsePermissions } from './permissions.ts';

/**
 * The value types Handle gives a meaning, recognised by TYPE wherever they stand (RFC 3651 §3.1:
 * an index is only a unique number; the usual 100-199 / 300-399 layout is a convention).
 */

/** The `data.value` of an HS_ADMIN value: who administers the record, with which rights. */
export interface AdminRef {
  readonly handle: string;
  readonly index: number;
  readonly permissions: string;
}

/** One member of an HS_VLIST: a value reference `<index>:<handle>` (a key, or another list). */
export interface ValueRef {
  readonly handle: string;
  readonly index: number;
}

export const ADMIN_TYPE = 'HS_ADMIN';
export const SECRET_KEY_TYPE = 'HS_SECKEY';
export const PUBLIC_KEY_TYPE = 'HS_PUBKEY';
export const VLIST_TYPE = 'HS_VLIST';

export const isAdminType = (type: string): boolean => type.toUpperCase() === ADMIN_TYPE;
export const isSecretKeyType = (type: string): boolean => type.toUpperCase() === SECRET_KEY_TYPE;
export const isPublicKeyType = (type: string): boolean => type.toUpperCase() === PUBLIC_KEY_TYPE;
/** A value an identity can prove it holds: `<index>:<handle>` names an identity when it is one of these. */
export const isKeyType = (type: string): boolean => isSecretKeyType(type) || isPublicKeyType(type);
export const isVlistType = (type: string): boolean => type.toUpperCase() === VLIST_TYPE;

export function asAdminRef(v: HandleValue): AdminRef | undefined {
  if (!isAdminType(v.type)) return undefined;
  const ref = v.data.value as Partial<AdminRef> | null;
  if (ref === null || typeof ref !== 'object') return undefined;
  if (typeof ref.handle !== 'string' || typeof ref.index !== 'number') return undefined;
  if (typeof ref.permissions !== 'string' || !PERMISSION_STRING.test(ref.permissions)) return undefined;
  return ref as AdminRef;
}

export function adminRefs(values: readonly HandleValue[]): { ref: AdminRef; mask: number }[] {
  const out: { ref: AdminRef; mask: number }[] = [];
  for (const v of values) {
    const ref = asAdminRef(v);
    if (ref) out.push({ ref, mask: parsePermissions(ref.permissions) });
  }
  return out;
}

const isValueRef = (m: unknown): m is ValueRef =>
  m !== null &&
  typeof m === 'object' &&
  typeof (m as Partial<ValueRef>).handle === 'string' &&
  typeof (m as Partial<ValueRef>).index === 'number';

/** The members of an HS_VLIST value (stored values were validated; anything else yields none). */
export function vlistMembers(v: HandleValue): readonly ValueRef[] {
  if (!isVlistType(v.type) || !Array.isArray(v.data.value)) return [];
  return (v.data.value as unknown[]).filter(isValueRef);
}
