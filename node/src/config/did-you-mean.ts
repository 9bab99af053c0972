/** Edit distance with adjacent transpositions (optimal string alignment): "prot" is one edit from "port". */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]![j]!;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The known names a mistyped one most likely meant: the closest within a few edits, then those it
 * begins or ends (IDNODE_PORT -> IDNODE_HTTP_PORT, IDNODE_GRPC_PORT; --tls -> --tls-dir). At most three.
 */
export function closest(name: string, known: readonly string[], stem = ''): string[] {
  const tail = name.slice(stem.length);
  const sep = stem === '' ? '-' : '_';
  const scored = known.map((k) => ({ k, d: distance(tail, k.slice(stem.length)) }));
  const best = Math.min(...scored.map((s) => s.d));
  // Short names need a closer match: PORT is two edits from HOST, which is no likely typo.
  const near =
    best > Math.max(1, Math.floor(tail.length / 4)) ? [] : scored.filter((s) => s.d === best).map((s) => s.k);
  const partOf = known.filter((k) => k.endsWith(`${sep}${tail}`) || k.slice(stem.length).startsWith(`${tail}${sep}`));
  return [...new Set([...near, ...partOf])].slice(0, 3);
}

export function didYouMean(candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const last = candidates[candidates.length - 1]!;
  const rest = candidates.slice(0, -1);
  return `; did you mean ${rest.length === 0 ? last : `${rest.join(', ')} or ${last}`}?`;
}
