import type { HandleValue } from './types.ts';
import { PERMISSION_STRING, parsePermissions } from './permissions.ts';

/** The `data.value` of an HS_ADMIN value: who administers the record, with which rights. */
export interface AdminRef {
  readonly handle: string;
  readonly index: number;
  readonly permissions: string;
}

export const isAdminType = (type: string): boolean => type.toUpperCase() === 'HS_ADMIN';
export const isSecretKeyType = (type: string): boolean => type.toUpperCase() === 'HS_SECKEY';

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
