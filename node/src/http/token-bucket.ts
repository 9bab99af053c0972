/**
 * A token bucket: `ratePerSecond` sustained, `burst` at once. Used to rate-limit requests that
 * bypass the cache (Handle's auth=true) so that they cannot be turned against the backend.
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly ratePerMs: number;
  private readonly burst: number;

  constructor(ratePerSecond: number, burst: number) {
    this.ratePerMs = ratePerSecond / 1000;
    this.burst = burst;
    this.tokens = burst;
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.ratePerMs);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
