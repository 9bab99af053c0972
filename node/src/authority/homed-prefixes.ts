import { isUnderPrefix, parsePrefix, type ParsedIdentifier } from '../identifier/index.ts';

/** Prefix handles live under the reserved prefix 0.NA (Handle practice): `0.NA/88.100.5`. */
export const NA_PREFIX_KEY = '0.na';

export const naHandleOf = (prefix: string): string => `0.NA/${prefix}`;

/** The prefix an identifier is governed by: its own, or for `0.NA/x` the prefix x it names. */
export function governingPrefix(id: ParsedIdentifier): { prefix: string; prefixKey: string; isNa: boolean } {
  if (id.prefixKey !== NA_PREFIX_KEY) return { prefix: id.prefix, prefixKey: id.prefixKey, isNa: false };
  const p = parsePrefix(id.suffix, 'text');
  return { prefix: p.prefix, prefixKey: p.prefixKey, isNa: true };
}

/** The parent of a prefix (`88.100.5` -> `88.100`), or undefined for a root segment. */
export function parentPrefix(prefix: string): string | undefined {
  const dot = prefix.lastIndexOf('.');
  return dot < 0 ? undefined : prefix.slice(0, dot);
}

/** Which prefixes this node is authoritative for (it "homes" them, in Handle terms). */
export class HomedPrefixes {
  readonly prefixes: readonly string[];
  private readonly keys: readonly string[];

  constructor(prefixes: readonly string[]) {
    this.prefixes = prefixes;
    this.keys = prefixes.map((p) => p.toLowerCase());
  }

  /** True when prefixKey is a homed prefix or lies below one. */
  covers(prefixKey: string): boolean {
    for (const k of this.keys) if (isUnderPrefix(prefixKey, k)) return true;
    return false;
  }
}
