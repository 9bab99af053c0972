import { identityName, type Identity } from '../auth/identity.ts';
import { naHandleOf } from '../authority/homed-prefixes.ts';
import { identifierKey, type ParsedIdentifier } from '../identifier/index.ts';
import type { IdentifierChange } from '../records/change-set.ts';
import { adminHandleOf } from '../records/prefix-admin.ts';
import type { ValueForm } from '../records/validate-values.ts';

/** A caller of the API: authorised by the HS_ADMIN values of the record or its prefix. */
export interface ClientPrincipal {
  readonly kind: 'client';
  /** undefined: anonymous (refused with 401 before anything that depends on what exists). */
  readonly identity: Identity | undefined;
}

/**
 * The node itself acting for a named reason (bootstrap, sync:<node>, prefix-registry decisions).
 * It is not checked against HS_ADMIN values but against its own explicit policy, and every value
 * rule (validation, sealing, last admin, metadata schemas) still applies to it.
 */
export interface SystemPrincipal {
  readonly kind: 'system';
  /** The actor in the change log and the audit: 'bootstrap', 'sync:<node>', 'prefix-registry'. */
  readonly name: string;
  /** Whether this principal may make this change at all; refused with 403 otherwise. */
  mayChange(id: ParsedIdentifier, change: IdentifierChange): boolean;
  /** May create an identifier over its tombstone (a homed prefix record deleted over the API). */
  readonly revivesTombstones: boolean;
  /** Only identifiers under prefixes this node homes (false for copies of delegated prefixes). */
  readonly homedOnly: boolean;
  /**
   * 'stored': the changes carry another node's stored values (sync apply), so a secret must arrive
   * already sealed (a well-formed scrypt hash; cleartext is refused), timestamps are kept, and a
   * replace writes exactly the values sent (a copy, not an edit). Every other value rule applies.
   * Default 'client': values as a client sends them.
   */
  readonly valueForm?: ValueForm;
}

export const valueFormOf = (who: Principal): ValueForm =>
  who.kind === 'system' ? (who.valueForm ?? 'client') : 'client';

export type Principal = ClientPrincipal | SystemPrincipal;

export const clientPrincipal = (identity: Identity | undefined): ClientPrincipal => ({ kind: 'client', identity });

/** The actor named in the change log. */
export function actorOf(who: Principal): string {
  if (who.kind === 'system') return who.name;
  return who.identity ? identityName(who.identity) : 'anonymous';
}

/**
 * Startup: may create, revive, and re-key only the two records each configured prefix carries,
 * `0.NA/<P>` and `<P>/ADMIN`, and nothing else, never deleting them.
 */
export function bootstrapPrincipal(prefixes: readonly string[]): SystemPrincipal {
  const allowed = new Set(prefixes.flatMap((p) => [naHandleOf(p), adminHandleOf(p)].map(identifierKey)));
  return {
    kind: 'system',
    name: 'bootstrap',
    mayChange: (id, change) => allowed.has(id.key) && change.op !== 'delete' && change.op !== 'remove-indexes',
    revivesTombstones: true,
    homedOnly: true,
  };
}

/**
 * The prefix registry carrying out a decision it made for an authenticated caller (an approval by
 * a reviewer, a delegation the operator planned, a serial range for a prefix admin): the route
 * checked the caller's rights and the registry's decision is the authority. It may create or
 * replace exactly the identifiers named (none: only the registry's own 0.REG records), never
 * delete them, and only under homed prefixes; every value rule still applies to what it writes.
 */
export function registryPrincipal(
  name: string,
  handles: readonly string[] = [],
  opts: { readonly revivesTombstones?: boolean } = {},
): SystemPrincipal {
  const allowed = new Set(handles.map(identifierKey));
  return {
    kind: 'system',
    name,
    mayChange: (id, change) => allowed.has(id.key) && (change.op === 'create' || change.op === 'replace'),
    revivesTombstones: opts.revivesTombstones ?? false,
    homedOnly: true,
  };
}

/**
 * An admin's Basic login proved its secret, stored in an older form (a legacy scrypt hash, or
 * sealed under a rotated-out key): writes that secret again (RecordService seals it under the
 * current key, ADR 0002). Only upsert-indexes of that one record, only under homed prefixes (a
 * synced copy of another node's admin stays as that node stored it).
 */
export function resealPrincipal(handle: string): SystemPrincipal {
  const key = identifierKey(handle);
  return {
    kind: 'system',
    name: 'reseal',
    mayChange: (id, change) => id.key === key && change.op === 'upsert-indexes',
    revivesTombstones: false,
    homedOnly: true,
  };
}
