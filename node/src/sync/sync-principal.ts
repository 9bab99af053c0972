import type { SystemPrincipal } from '../write/principal.ts';
import { classifyKey } from './sync-keys.ts';

/**
 * Who writes a secondary's synced changes on the top-level node: `sync:<nodeId>`, a system
 * principal of RecordService. Its policy:
 * - only keys under the prefixes delegated to that node (read per batch, so a new or withdrawn
 *   delegation applies at once), never the top-level's own bookkeeping or directory records
 *   (classifyKey: anything but 'apply' is refused);
 * - values are the secondary's stored values: every value rule applies to them (a secondary
 *   cannot push a javascript: URL or an unknown link type upward), a secret must arrive sealed
 *   (well formed, sealed under the secondary's key or a legacy scrypt hash: kept as sent, opaque:
 *   a foreign kid never verifies here; a cleartext one is refused, so the top-level never holds one, ADR 0002),
 *   timestamps are kept, and a replace is an exact copy;
 * - no HS_ADMIN authorisation (the delegation is the authorisation) and no homing check (the
 *   top-level does not home delegated prefixes), but it never revives a tombstone the top-level
 *   holds (a suffix deleted here stays deleted).
 */
export function syncPrincipal(nodeId: string, allowed: readonly string[]): SystemPrincipal {
  return {
    kind: 'system',
    name: `sync:${nodeId}`,
    mayChange: (id) => classifyKey(id.key, allowed) === 'apply',
    revivesTombstones: false,
    homedOnly: false,
    valueForm: 'stored',
  };
}
