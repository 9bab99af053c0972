/**
 * RFC 8785 (JCS) canonical JSON for the values idnode stores: object members sorted by UTF-16
 * code units (JS's default sort order), numbers and strings serialised as ECMAScript does.
 * Only the JSON data model: no undefined inside arrays, no non-finite numbers.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('JSON has no non-finite numbers');
  return JSON.stringify(value) ?? 'null';
}
