/*
 * Where sync state lives in the top-level node's store, and which synced keys it accepts.
 * Store keys are lookup keys (ASCII lower case), so everything here compares lower case.
 */

/** Reserved prefix of the receiver's own bookkeeping; never accepted from a secondary. */
const SYNC_PREFIX = '0.sync';

/** The per-node cursor record: `0.SYNC/<node-id>` (authority-only values). */
export const cursorKey = (nodeId: string): string => `${SYNC_PREFIX}/${nodeId.toLowerCase()}`;

/** The per-key provenance record of a synced copy: `0.SYNC/FROM/<key>` (authority-only values). */
export const provenanceKey = (key: string): string => `${SYNC_PREFIX}/from/${key}`;

/**
 * What the receiver does with a synced key:
 * - apply: the key's prefix is (under) a prefix delegated to the sender;
 * - skip: node-local state that has no business on the top-level (the secondary's registry
 *   bookkeeping `0.REG/...`, its own sync state, and its copy of `0.NA/<delegated prefix>`,
 *   which would overwrite the top-level's delegation record - the directory there is authoritative);
 * - refuse: anything else (a foreign prefix): acked with an error, never applied.
 */
export type KeyDecision = 'apply' | 'skip' | 'refuse';

const under = (prefix: string, parent: string): boolean => prefix === parent || prefix.startsWith(`${parent}.`);

export function classifyKey(key: string, allowed: readonly string[]): KeyDecision {
  const slash = key.indexOf('/');
  if (slash <= 0) return 'refuse';
  const prefix = key.slice(0, slash);
  const rest = key.slice(slash + 1);
  const parents = allowed.map((p) => p.toLowerCase());
  if (prefix === '0.reg' || prefix === SYNC_PREFIX) return 'skip';
  if (prefix === '0.na') {
    if (parents.includes(rest)) return 'skip';
    return parents.some((p) => rest.startsWith(`${p}.`)) ? 'apply' : 'refuse';
  }
  return parents.some((p) => under(prefix, p)) ? 'apply' : 'refuse';
}
