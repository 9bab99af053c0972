import { visibleValues } from '../records/access.ts';
import type { AccessTier, HandleValue, StoredRecord } from '../records/types.ts';
import { redactSecrets } from '../records/redact.ts';

/** Handle's index= and type= filters; both empty: every value. */
export interface ValueFilter {
  readonly indexes: readonly number[];
  readonly types: readonly string[];
}

export const isFiltered = (f: ValueFilter): boolean => f.indexes.length > 0 || f.types.length > 0;

/** Handle's type filter: exact (case-insensitive), or "X." for X and its subtypes "X.*". */
function typeMatches(type: string, wanted: readonly string[]): boolean {
  const t = type.toUpperCase();
  return wanted.some((w) => {
    const u = w.toUpperCase();
    return u.endsWith('.') ? t === u.slice(0, -1) || t.startsWith(u) : t === u;
  });
}

/** A value is kept when its index or its type is named (Handle ORs the two filters). */
export function filterValues(values: readonly HandleValue[], filter: ValueFilter): readonly HandleValue[] {
  if (!isFiltered(filter)) return values;
  return values.filter(
    (v) =>
      (filter.indexes.length > 0 && filter.indexes.includes(v.index)) ||
      (filter.types.length > 0 && typeMatches(v.type, filter.types)),
  );
}

/** What a reader of `tier` may be shown: its tiers only, secrets never (redacted). */
export const shownValues = (values: readonly HandleValue[], tier: AccessTier): readonly HandleValue[] =>
  redactSecrets(visibleValues(values, tier));

/** The values of `record` a reader of `tier` is shown under `filter`. */
export const selectValues = (record: StoredRecord, tier: AccessTier, filter: ValueFilter): readonly HandleValue[] =>
  filterValues(shownValues(record.values, tier), filter);
