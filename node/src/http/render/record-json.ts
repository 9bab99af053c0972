import type { AccessTier, StoredRecord } from '../../records/types.ts';

/** The ETag names the record version and the tier, since tiers see different bodies. */
export const etagOf = (record: StoredRecord, tier: AccessTier): string => `"${record.version}-${tier[0]}"`;

export function parseIfMatch(header: string | undefined): number | undefined | 'invalid' {
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"(\d+)(?:-[pla])?"$/.exec(header.trim());
  return m ? Number(m[1]) : 'invalid';
}
