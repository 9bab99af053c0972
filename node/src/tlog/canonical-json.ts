/**
 * RFC 8785 (JCS) canonical JSON for the values idnode stores: object members sorted by UTF-16
 * code units (JS's default sort order), numbers and strings serialised as ECMAScript does.
 * Only the JSON data model: no undefined inside arrays, no non-finite numbers. Written as loops
 * (no entries/filter/map chains): the JSON values of every change are hashed through here.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('JSON has no non-finite numbers');
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const o = value as Record<string, unknown>;
  // Default sort: UTF-16 code unit order, what JCS §3.2.3 asks.
  const keys = Object.keys(o).sort();
  let out = '{';
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}
