/*
 * What cached answers were built from. A dependency is a record key (`88.100.5/batch-b7`,
 * `0.na/88.100.5`) or a namespace: a prefix key, "/", and a suffix up to and including its first
 * dot (`88.100.5/template.`), standing for every key in it, written yet or not. A change to a key
 * is a change to its namespace too, so a new template drops the misses it could now answer.
 */

/** The dependency on every key `<prefixKey>/<name>.*`, e.g. every template of a prefix. */
export function namespaceKey(prefixKey: string, name: string): string {
  return `${prefixKey}/${name.toLowerCase()}.`;
}

/** The namespace a changed key belongs to, if its suffix has a dot. */
export function namespaceOf(key: string): string | undefined {
  const slash = key.indexOf('/');
  const dot = slash < 0 ? -1 : key.indexOf('.', slash + 1);
  return dot < 0 ? undefined : key.slice(0, dot + 1);
}

/**
 * Source -> the cached entries that depend on it, bounded by the number of (source, entry) pairs.
 * The caller keeps it in step with the cache: `add` after an entry is stored, `remove` when it
 * leaves, `take` when a source changes.
 */
export class DependencyIndex {
  private readonly bySource = new Map<string, Set<string>>();
  private pairs = 0;
  private readonly maxPairs: number;

  constructor(maxPairs: number) {
    this.maxPairs = maxPairs;
  }

  get size(): number {
    return this.pairs;
  }

  /** Whether `count` more pairs fit; the caller does not cache what does not (safe: it is fetched again). */
  fits(count: number): boolean {
    return this.pairs + count <= this.maxPairs;
  }

  add(entry: string, sources: readonly string[]): void {
    for (const source of sources) {
      let set = this.bySource.get(source);
      if (set === undefined) this.bySource.set(source, (set = new Set()));
      if (set.has(entry)) continue;
      set.add(entry);
      this.pairs++;
    }
  }

  remove(entry: string, sources: readonly string[]): void {
    for (const source of sources) {
      const set = this.bySource.get(source);
      if (set === undefined || !set.delete(entry)) continue;
      this.pairs--;
      if (set.size === 0) this.bySource.delete(source);
    }
  }

  /** The entries depending on `source`, forgotten here; their other sources are cleaned by `remove`. */
  take(source: string): ReadonlySet<string> | undefined {
    const set = this.bySource.get(source);
    if (set === undefined) return undefined;
    this.bySource.delete(source);
    this.pairs -= set.size;
    return set;
  }

  clear(): void {
    this.bySource.clear();
    this.pairs = 0;
  }
}
