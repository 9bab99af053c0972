import { describe, expect, it } from 'vitest';
import { runMemory } from '../../../loadtest/lib/memory-run.ts';

/*
 * The resolution cache stays within IDNODE_CACHE_MAX_MB however many distinct identifiers a node
 * sees. The full figure (1,000,000 identifiers, 64 MB) is `npm run bench:memory`; here a smaller
 * run (50,000 identifiers, 5,000 registered, the rest negative entries) with a bound small
 * enough (4 MB) that it is reached several times over, so the test keeps the suite fast.
 */

describe('resolution cache memory bound (real node process)', () => {
  it('holds at most IDNODE_CACHE_MAX_MB after 50,000 distinct identifiers', async () => {
    const r = await runMemory({
      requests: 50_000,
      registered: 5_000,
      maxMb: 4,
      maxEntries: 200_000,
      connections: 20,
      log: () => undefined,
    });
    console.log(
      `cache-memory: ${r.requests} distinct identifiers (${r.registered} registered) in ${r.duration_s} s; cache ` +
        `${r.cache_bytes} bytes (bound ${r.cache_bound_bytes}), ${r.cache_entries} entries; RSS ${r.rss_before_mib} -> ` +
        `${r.rss_after_mib} MiB, heap used ${r.heap_used_before_mib} -> ${r.heap_used_mib} MiB`,
    );
    expect(r.errors).toBe(0);
    expect(r.statuses['200']).toBe(5_000);
    expect(r.cache_bytes).toBeGreaterThan(0);
    expect(r.cache_bytes).toBeLessThanOrEqual(r.cache_bound_bytes);
    // The bound was really reached: far fewer entries than identifiers seen.
    expect(r.cache_entries).toBeLessThan(r.requests / 2);
  }, 120_000);
});
