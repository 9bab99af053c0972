import { describe, expect, it } from 'vitest';
import { heapFlags } from '../../src/bootstrap/heap-size.ts';

const old = (flags: string[]): number | undefined => {
  const f = flags.find((x) => x.startsWith('--max-old-space-size='));
  return f === undefined ? undefined : Number(f.split('=')[1]);
};

describe('heap size derived from the cache bound (start.ts)', () => {
  it('gives the default cache bound a heap sized to it, semi-spaces capped', () => {
    const flags = heapFlags({}, [], []);
    expect(old(flags)).toBe(96 + 1.5 * 64);
    expect(flags).toContain('--max-semi-space-size=16');
  });

  it('follows IDNODE_CACHE_MAX_MB, and the --cache-max-mb flag over it', () => {
    expect(old(heapFlags({ IDNODE_CACHE_MAX_MB: '256' }, [], []))).toBe(96 + 1.5 * 256);
    expect(old(heapFlags({ IDNODE_CACHE_MAX_MB: '256' }, [], ['--cache-max-mb', '32']))).toBe(96 + 48);
    expect(old(heapFlags({}, [], ['--cache-max-mb=32']))).toBe(96 + 48);
  });

  it('gives the base heap with the cache off', () => {
    expect(old(heapFlags({ IDNODE_CACHE: 'off', IDNODE_CACHE_MAX_MB: '999' }, [], []))).toBe(96);
  });

  it("leaves the operator's own heap settings alone", () => {
    expect(heapFlags({ NODE_OPTIONS: '--max-old-space-size=2048' }, [], [])).toEqual([]);
    expect(heapFlags({}, ['--max-semi-space-size=32'], [])).toEqual([]);
  });

  it('leaves an unreadable bound to the configuration to report (no flags)', () => {
    expect(heapFlags({ IDNODE_CACHE_MAX_MB: 'lots' }, [], [])).toEqual([]);
  });
});
