import { visibleValues } from '../../records/access.ts';
import type { AccessTier, HandleValue, StoredRecord } from '../../records/types.ts';
import { redactSecrets } from '../../write/secrets.ts';

export interface ValueFilter {
  readonly indexes: readonly number[];
  readonly types: readonly string[];
}

/** Handle's type filter: exact (case-insensitive), or "X." for X and its subtypes "X.*". */
function typeMatches(type: string, wanted: readonly string[]): boolean {
  const t = type.toUpperCase();
  return wanted.some((w) => {
    const u = w.toUpperCase();
    return u.endsWith('.') ? t === u.slice(0, -1) || t.startsWith(u) : t === u;
  });
}

export function selectValues(record: StoredRecord, tier: AccessTier, filter: ValueFilter): readonly HandleValue[] {
  let values = visibleValues(record.values, tier);
  if (filter.indexes.length > 0 || filter.types.length > 0) {
    values = values.filter(
      (v) =>
        (filter.indexes.length > 0 && filter.indexes.includes(v.index)) ||
        (filter.types.length > 0 && typeMatches(v.type, filter.types)),
    );
  }
  return redactSecrets(values);
}

/** The ETag names the record version and the tier, since tiers see different bodies. */
export const etagOf = (record: StoredRecord, tier: AccessTier): string => `"${record.version}-${tier[0]}"`;

export function parseIfMatch(header: string | undefined): number | undefined | 'invalid' {
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"(\d+)(?:-[pla])?"$/.exec(header.trim());
  return m ? Number(m[1]) : 'invalid';
}
