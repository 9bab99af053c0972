/**
 * The bounded `prefix` metric label: enterprise-prefix granularity (first three segments),
 * allow-listed prefixes always, then the first others seen up to a limit, the rest "other".
 * The label set is bounded by configuration, never by traffic.
 */
export class PrefixLabeler {
  private readonly known = new Set<string>();
  private readonly limit: number;

  constructor(allowList: readonly string[], limit: number) {
    for (const p of allowList) this.known.add(enterprisePrefix(p.toLowerCase()));
    this.limit = Math.max(limit, this.known.size);
  }

  label(prefixKey: string): string {
    const p = enterprisePrefix(prefixKey);
    if (this.known.has(p)) return p;
    if (this.known.size >= this.limit) return 'other';
    this.known.add(p);
    return p;
  }
}

/** `88.100.5.2` -> `88.100.5`: plants and parks roll up into their enterprise. */
export function enterprisePrefix(prefixKey: string): string {
  let dots = 0;
  for (let i = 0; i < prefixKey.length; i++) {
    if (prefixKey.charCodeAt(i) === 46 && ++dots === 3) return prefixKey.slice(0, i);
  }
  return prefixKey;
}
