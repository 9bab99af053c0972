import { parentPrefix } from '../authority/homed-prefixes.ts';
import { monotonicMs } from '../auth/clock.ts';

/**
 * Where to go next time: delegated prefix -> serving node, learnt from referrals. A lookup walks
 * up the prefix (88.100.5.2 -> 88.100.5 -> 88.100 -> 88), so one referral for 88.100 serves every
 * identifier under it without asking upstream again. Entries expire, and a link failure drops one.
 */
export interface ReferralTarget {
  readonly prefixKey: string;
  readonly address: string;
  readonly nodeId: string | undefined;
}

interface Entry extends ReferralTarget {
  readonly expiresAt: number;
}

export class ReferralCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(ttlMs = 300_000, maxEntries = 10_000) {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.entries.size;
  }

  set(prefixKey: string, address: string, nodeId: string | undefined): void {
    // A bounded map: the directory has few delegations; an overflow just forgets the oldest.
    if (this.entries.size >= this.maxEntries && !this.entries.has(prefixKey)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(prefixKey, { prefixKey, address, nodeId, expiresAt: monotonicMs() + this.ttlMs });
  }

  lookup(prefixKey: string): ReferralTarget | undefined {
    const now = monotonicMs();
    for (let p: string | undefined = prefixKey; p !== undefined; p = parentPrefix(p)) {
      const e = this.entries.get(p);
      if (e === undefined) continue;
      if (e.expiresAt > now) return e;
      this.entries.delete(p);
    }
    return undefined;
  }

  invalidate(prefixKey: string): void {
    this.entries.delete(prefixKey);
  }
}
