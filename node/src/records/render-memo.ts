/**
 * Renderings of one answer (JSON body per tier, redirect target, ...), built on first use and
 * kept with the answer. A cached answer therefore serialises once, and a hit is a lookup.
 */
export class RenderMemo {
  private entries: Map<string, unknown> | undefined;

  get<T>(key: string, build: () => T): T {
    this.entries ??= new Map();
    if (this.entries.has(key)) return this.entries.get(key) as T;
    const value = build();
    this.entries.set(key, value);
    return value;
  }
}
