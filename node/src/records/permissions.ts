/**
 * HS_ADMIN permissions: the Handle 12-bit mask. In the JSON form the permission string is
 * written most significant bit first, so "011111110011" is everything but list-handles and the
 * two prefix (NA) rights, which is the usual grant for an identifier's own admin.
 */
export const Perm = {
  ADD_HANDLE: 0x001,
  DELETE_HANDLE: 0x002,
  ADD_NA: 0x004,
  DELETE_NA: 0x008,
  MODIFY_VALUE: 0x010,
  REMOVE_VALUE: 0x020,
  ADD_VALUE: 0x040,
  MODIFY_ADMIN: 0x080,
  REMOVE_ADMIN: 0x100,
  ADD_ADMIN: 0x200,
  READ_VALUE: 0x400,
  LIST_HANDLES: 0x800,
} as const;
export type PermName = keyof typeof Perm;

export const PERM_ALL = 0xfff;
/** What the creator of an identifier gets on it when the body names no HS_ADMIN. */
export const PERM_IDENTIFIER_OWNER = PERM_ALL & ~(Perm.ADD_NA | Perm.DELETE_NA | Perm.LIST_HANDLES);

const BITS = 12;
export const PERMISSION_STRING = /^[01]{12}$/;

/** The names, in the order of the string's positions from the left (most significant bit first). */
export const PERM_NAMES_MSB_FIRST: readonly PermName[] = (Object.keys(Perm) as PermName[]).toReversed();

const isPermName = (n: string): n is PermName => Object.hasOwn(Perm, n);

/** The names not among Handle's twelve rights; [] when all are. */
export const unknownPermNames = (names: readonly string[]): string[] => names.filter((n) => !isPermName(n));

/** `["READ_VALUE", "LIST_HANDLES"]` as a mask (callers check unknownPermNames first). */
export function permMaskOf(names: readonly string[]): number {
  return names.reduce((mask, n) => (isPermName(n) ? mask | Perm[n] : mask), 0);
}

export function parsePermissions(s: string): number {
  return Number.parseInt(s, 2);
}

export function formatPermissions(mask: number): string {
  return (mask & PERM_ALL).toString(2).padStart(BITS, '0');
}

export function permNames(mask: number): PermName[] {
  return (Object.keys(Perm) as PermName[]).filter((n) => (mask & Perm[n]) !== 0);
}
