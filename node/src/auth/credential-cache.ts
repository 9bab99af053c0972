import { createHash } from 'node:crypto';
import { monotonicMs } from './clock.ts';

/**
 * Remembers recently verified (identity, secret, key-version) triples so that Basic auth costs
 * one hash lookup instead of opening the stored secret (or an scrypt, for a legacy one) per request. Keyed by a SHA-256 of the triple: the cache
 * never holds a secret, and a rotated secret (new key version) misses.
 */
export class CredentialCache {
  private readonly entries = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly max: number;

  constructor(ttlMs = 60_000, max = 10_000) {
    this.ttlMs = ttlMs;
    this.max = max;
  }

  static key(who: string, secret: string, keyVersion: number): string {
    return createHash('sha256').update(`${who}\0${keyVersion}\0${secret}`).digest('base64');
  }

  has(key: string, now = monotonicMs()): boolean {
    const exp = this.entries.get(key);
    if (exp === undefined) return false;
    if (exp > now) return true;
    this.entries.delete(key);
    return false;
  }

  add(key: string, now = monotonicMs()): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, now + this.ttlMs);
  }
}
