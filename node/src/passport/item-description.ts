import type { HandleValue } from '../records/types.ts';
import type { LinkView } from './links.ts';

/**
 * GS1 linksets require an `itemDescription` per link context (GS1's linkset schema). It comes
 * from the record the reader sees, first match wins:
 * 1. an `ITEM_DESCRIPTION` value (string): the owner's own words for GS1 clients;
 * 2. the product's name: `BATTERY_PASSPORT` (manufacturerName + model), or a json value's
 *    `productName`, `name` or `title`;
 * 3. a `DESC` value (Handle's description);
 * 4. the title of the default link;
 * 5. the identifier itself, so that the field is never missing.
 */
export const ITEM_DESCRIPTION_TYPE = 'ITEM_DESCRIPTION';

const MAX = 512;
const typed = (values: readonly HandleValue[], type: string): HandleValue | undefined =>
  values.find((v) => v.type.toUpperCase() === type);

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, MAX) : undefined;
}

function productName(values: readonly HandleValue[]): string | undefined {
  const bp = typed(values, 'BATTERY_PASSPORT')?.data.value as Record<string, unknown> | undefined;
  if (bp !== null && typeof bp === 'object') {
    const name = [text(bp.manufacturerName), text(bp.model)].filter((s) => s !== undefined).join(' ');
    if (name !== '') return name;
  }
  for (const v of values) {
    const d = v.data.value as Record<string, unknown> | null;
    if (v.data.format !== 'json' || d === null || typeof d !== 'object' || Array.isArray(d)) continue;
    if (v.type.toUpperCase() === 'LINK') continue;
    const name = text(d.productName) ?? text(d.name) ?? text(d.title);
    if (name !== undefined) return name;
  }
  return undefined;
}

export function itemDescription(values: readonly HandleValue[], view: LinkView, handle: string): string {
  return (
    text(typed(values, ITEM_DESCRIPTION_TYPE)?.data.value) ??
    productName(values) ??
    text(typed(values, 'DESC')?.data.value) ??
    text(view.defaultLink?.title) ??
    handle
  );
}
