import { IdnError } from '../errors/idn-error.ts';
import { adminRefs, isVlistType, vlistMembers, type ValueRef } from '../records/admin-value.ts';
import { identifierKey, parseIdentifier } from '../identifier/index.ts';
import { permNames } from '../records/permissions.ts';
import { isLive, type HandleValue, type StoredRecord } from '../records/types.ts';
import type { ReadonlyStore } from '../store/store.ts';
import { identityName, type Identity } from './identity.ts';

/**
 * HS_ADMIN authorisation as Handle does it: an HS_ADMIN value names `<index>:<handle>`, which is
 * either an identity itself (a key value, HS_SECKEY / HS_PUBKEY) or an HS_VLIST, an admin group:
 * a list of such references, possibly nested. An identity matching any member (at any depth) has
 * the HS_ADMIN value's permissions. Groups are read from this node's store (`GroupLookup`);
 * walking them is bounded (depth, records read) and safe against cycles.
 */

/** Reads a record (live or not) by identifier; RecordService passes its planning view. */
export type GroupLookup = (handle: string) => Promise<StoredRecord | undefined>;

/** Groups as this node's store holds them (a handle that does not parse names no group). */
export function storeLookup(store: Pick<ReadonlyStore, 'get'>): GroupLookup {
  return async (handle) => {
    let key: string;
    try {
      key = parseIdentifier(handle, 'text').key;
    } catch {
      return undefined;
    }
    return store.get(key);
  };
}

/** How deep HS_VLIST groups nest (a list of lists of lists ...); deeper members are not followed. */
export const MAX_GROUP_DEPTH = 8;
/** Records read while judging one permission check; members beyond them are not followed (refused). */
export const MAX_GROUP_READS = 64;

const names = (ref: ValueRef, identity: Identity): boolean =>
  ref.index === identity.index && identifierKey(ref.handle) === identity.handleKey;

/** True when one of the HS_ADMIN values names this identity itself with every bit of `needed`. */
export function hasPermissions(identity: Identity, admins: readonly HandleValue[], needed: number): boolean {
  if ((identity.permMask & needed) !== needed) return false;
  for (const { ref, mask } of adminRefs(admins)) {
    if (names(ref, identity) && (mask & needed) === needed) return true;
  }
  return false;
}

/** One walk over the group graph of a permission check: its cycle guard and read budget. */
class GroupWalk {
  readonly #lookup: GroupLookup;
  readonly #identity: Identity;
  readonly #seen = new Set<string>();
  readonly #records = new Map<string, Promise<StoredRecord | undefined>>();
  /** Set when the read budget stopped the walk: the refusal says so. */
  exhausted = false;

  constructor(identity: Identity, lookup: GroupLookup) {
    this.#identity = identity;
    this.#lookup = lookup;
  }

  /** Whether `ref` is the identity, or an HS_VLIST that (transitively) lists it. */
  async includes(ref: ValueRef, depth: number): Promise<boolean> {
    if (names(ref, this.#identity)) return true;
    const at = `${ref.index}:${identifierKey(ref.handle)}`;
    // A reference seen before is either being walked (a cycle) or was already found wanting.
    if (depth >= MAX_GROUP_DEPTH || this.#seen.has(at)) return false;
    this.#seen.add(at);
    const record = await this.#read(ref.handle);
    const list = record?.values.find((v) => v.index === ref.index && isVlistType(v.type));
    if (list === undefined) return false;
    for (const member of vlistMembers(list)) {
      if (await this.includes(member, depth + 1)) return true;
    }
    return false;
  }

  #read(handle: string): Promise<StoredRecord | undefined> {
    const key = identifierKey(handle);
    let r = this.#records.get(key);
    if (r === undefined) {
      if (this.#records.size >= MAX_GROUP_READS) {
        this.exhausted = true;
        return Promise.resolve(undefined);
      }
      r = this.#lookup(handle).then((rec) => (isLive(rec) ? rec : undefined));
      this.#records.set(key, r);
    }
    return r;
  }
}

/**
 * As hasPermissions, with HS_VLIST groups followed through `lookup`. Direct references are
 * judged first, so an identity named by an HS_ADMIN value costs no read.
 */
export async function hasPermissionsVia(
  identity: Identity,
  admins: readonly HandleValue[],
  needed: number,
  lookup: GroupLookup,
): Promise<boolean> {
  return (await judge(identity, admins, needed, lookup)).granted;
}

async function judge(
  identity: Identity,
  admins: readonly HandleValue[],
  needed: number,
  lookup: GroupLookup,
): Promise<{ granted: boolean; exhausted: boolean }> {
  if ((identity.permMask & needed) !== needed) return { granted: false, exhausted: false };
  const granting = adminRefs(admins).filter(({ mask }) => (mask & needed) === needed);
  if (granting.some(({ ref }) => names(ref, identity))) return { granted: true, exhausted: false };
  const walk = new GroupWalk(identity, lookup);
  for (const { ref } of granting) if (await walk.includes(ref, 0)) return { granted: true, exhausted: false };
  return { granted: false, exhausted: walk.exhausted };
}

function refused(identity: Identity, needed: number, target: string, exhausted = false): IdnError {
  const missing = needed & ~identity.permMask;
  if (missing !== 0) return tokenLacks(identity, missing, target);
  const why = exhausted
    ? ` (its HS_VLIST groups reach more than ${MAX_GROUP_READS} records; only those were read)`
    : '';
  return new IdnError(
    'IDN_ERR_NOT_AUTHORIZED',
    `${identityName(identity)} lacks ${permNames(needed).join(', ')} on ${target}${why}.`,
    { identity: identityName(identity), needed: permNames(needed), target },
  );
}

/**
 * A narrowed token is refused for what it lacks, not its admin: the admin may well hold the right,
 * and the fix is a token that carries it (POST /api/tokens), not a change to HS_ADMIN.
 */
function tokenLacks(identity: Identity, missing: number, target: string): IdnError {
  const carries = permNames(identity.permMask);
  return new IdnError(
    'IDN_ERR_NOT_AUTHORIZED',
    `The bearer token of ${identityName(identity)} does not carry ${permNames(missing).join(', ')} (it was issued with ` +
      `${carries.length === 0 ? 'no rights' : carries.join(', ')}), so it may not do this on ${target}; ` +
      'ask POST /api/tokens for a token with that right.',
    { identity: identityName(identity), needed: permNames(missing), token: carries, target },
  );
}

/**
 * Direct references only (no HS_VLIST groups). Prefer requireAdmin, which follows groups; this
 * stays for callers without a store at hand.
 */
export function requirePermissions(
  identity: Identity | undefined,
  admins: readonly HandleValue[],
  needed: number,
  target: string,
): void {
  if (identity === undefined) throw new IdnError('IDN_ERR_AUTH_REQUIRED');
  if (needed === 0 || hasPermissions(identity, admins, needed)) return;
  throw refused(identity, needed, target);
}

/** Requires `needed` on `admins` for `identity`, HS_VLIST groups included; 401 / 403 otherwise. */
export async function requireAdmin(
  identity: Identity | undefined,
  admins: readonly HandleValue[],
  needed: number,
  target: string,
  lookup: GroupLookup,
): Promise<void> {
  if (identity === undefined) throw new IdnError('IDN_ERR_AUTH_REQUIRED');
  if (needed === 0) return;
  const { granted, exhausted } = await judge(identity, admins, needed, lookup);
  if (!granted) throw refused(identity, needed, target, exhausted);
}
