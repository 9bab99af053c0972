import { NON_ASCII } from './characters.ts';

const HAS_UPPER = /[A-Z]/;
const UPPER_RUNS = /[A-Z]+/g;
const lower = (run: string): string => run.toLowerCase();

/**
 * Lookup key of an already-valid handle (or prefix): ASCII letters lower-cased, everything else
 * untouched. Full Unicode case folding is deliberately not applied ("É" stays "É"): it is
 * locale-sensitive and would merge identifiers their owners registered as distinct.
 */
export function identifierKey(handle: string): string {
  if (!HAS_UPPER.test(handle)) return handle;
  // On pure ASCII toLowerCase only touches A-Z; with non-ASCII it would fold "É", so map runs.
  if (!NON_ASCII.test(handle)) return handle.toLowerCase();
  return handle.replace(UPPER_RUNS, lower);
}

/** identifierKey for text the caller already proved ASCII (the parser's fast path). */
export const asciiKey = (handle: string): string => (HAS_UPPER.test(handle) ? handle.toLowerCase() : handle);

/**
 * True when prefixKey equals ancestorKey or lies beneath it in the "." hierarchy:
 * '88.100.5.2' is under '88.100.5'; '88.1000' is not under '88.100'. Both must be keys
 * (lower-cased), as ParsedIdentifier.prefixKey / ParsedPrefix.prefixKey give.
 */
export function isUnderPrefix(prefixKey: string, ancestorKey: string): boolean {
  if (ancestorKey.length === 0) return false;
  if (prefixKey.length === ancestorKey.length) return prefixKey === ancestorKey;
  return prefixKey.charCodeAt(ancestorKey.length) === 0x2e && prefixKey.startsWith(ancestorKey);
}
