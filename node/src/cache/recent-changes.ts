import type { DependsOn } from '../records/outcome.ts';

/** Past this many keys changed during the calls in flight, those calls are all treated as overtaken. */
const MAX_RECENT = 10_000;

/**
 * Keys changed while backend calls were in flight. A call that started before a change to one of
 * its answer's sources must not cache that answer: it may have read the source before the change.
 * Positions count changes; a call remembers the position it started at.
 */
export class RecentChanges {
  private position = 0;
  /** Calls started before this position are overtaken whatever they read (the map overflowed). */
  private floor = 0;
  /** Key -> position of its latest change, oldest first. */
  private readonly keys = new Map<string, number>();

  /** The position a call starting now remembers. */
  get now(): number {
    return this.position;
  }

  /** A key changed; `oldestInFlight` is the start of the oldest call still running (undefined: none). */
  note(key: string, oldestInFlight: number | undefined): void {
    this.position++;
    if (oldestInFlight === undefined) return;
    this.keys.delete(key);
    this.keys.set(key, this.position);
    if (this.keys.size > MAX_RECENT) this.prune(oldestInFlight);
  }

  /** Whether any of `sources` changed after `since`. */
  overtook(sources: DependsOn, since: number): boolean {
    if (sources.length === 0) return false;
    if (since < this.floor) return true;
    for (const s of sources) if ((this.keys.get(s) ?? -1) > since) return true;
    return false;
  }

  /** No call is in flight any more: nothing recent can matter. */
  forget(): void {
    this.keys.clear();
  }

  private prune(oldestInFlight: number): void {
    // Changes no running call predates are irrelevant; the map is in position order.
    for (const [k, at] of this.keys) {
      if (at > oldestInFlight) break;
      this.keys.delete(k);
    }
    if (this.keys.size <= MAX_RECENT) return;
    this.keys.clear();
    this.floor = this.position;
  }
}
