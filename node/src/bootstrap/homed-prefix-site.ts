import { naHandleOf } from '../authority/homed-prefixes.ts';
import { parseIdentifier } from '../identifier/index.ts';
import { isLive, type HandleValue } from '../records/types.ts';
import { bootstrapPrincipal } from '../write/principal.ts';
import type { RecordService } from '../write/record-service.ts';

/**
 * Every homed prefix's `0.NA/<prefix>` carries this node's HS_SITE (generated from the Handle
 * protocol configuration), so a Handle client that looks the prefix up finds this node's
 * address, port and protocols. Written through RecordService as `bootstrap`, only when it changed.
 */
export const SITE_TYPE = 'HS_SITE';
/** Where CNRI prefix records keep HS_SITE: index 1, or the lowest free index when 1 holds something else. */
const PREFERRED_INDEX = 1;

function siteIndex(values: readonly HandleValue[]): number {
  const own = values.find((v) => v.type.toUpperCase() === SITE_TYPE);
  if (own !== undefined) return own.index;
  const used = new Set(values.map((v) => v.index));
  let i = PREFERRED_INDEX;
  while (used.has(i)) i++;
  return i;
}

export async function bootstrapPrefixSites(
  records: RecordService,
  prefixes: readonly string[],
  site: Buffer,
): Promise<void> {
  const who = bootstrapPrincipal(prefixes);
  const value = site.toString('base64');
  for (const prefix of prefixes) {
    const id = parseIdentifier(naHandleOf(prefix), 'text');
    const existing = await records.store.get(id.key);
    if (!isLive(existing)) continue;
    const index = siteIndex(existing.values);
    const current = existing.values.find((v) => v.index === index);
    if (current?.data.format === 'base64' && current.data.value === value) continue;
    const input = { index, type: SITE_TYPE, data: { format: 'base64', value } };
    await records.apply(
      {
        changes: [{ op: 'upsert-indexes', id, values: [input], ifMatch: existing.version }],
        reason: 'HS_SITE of this node',
      },
      who,
    );
  }
}
