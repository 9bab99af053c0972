import { describe, expect, it } from 'vitest';
import { cacheSection } from '../../src/cache/config.ts';
import { DEFAULT_CACHE_POLICY } from '../../src/cache/cache-policy.ts';
import { readSection } from '../../src/config-kit/section.ts';
import { problemsOf } from './config-helpers.ts';

describe('cache config section', () => {
  it.each([
    [{}, DEFAULT_CACHE_POLICY],
    [{ IDNODE_CACHE: 'off' }, { enabled: false }],
    [{ IDNODE_CACHE_POLICY: 'lru' }, { admission: 'lru' }],
    [
      { IDNODE_CACHE_MAX_ENTRIES: '10', IDNODE_CACHE_MAX_MB: '2' },
      { maxEntries: 10, maxBytes: 2 * 1024 * 1024 },
    ],
    [{ IDNODE_CACHE_STALE_WINDOW_S: '0' }, { staleWindowMs: 0 }],
    // Negative answers never outlive positive ones; the minimum TTL never exceeds the maximum.
    [
      { IDNODE_CACHE_MAX_TTL_S: '2', IDNODE_CACHE_NEGATIVE_TTL_S: '30' },
      { maxTtlMs: 2000, negativeTtlMs: 2000, minTtlMs: 1000 },
    ],
    [{ IDNODE_CACHE_MAX_TTL_S: '0' }, { maxTtlMs: 0, minTtlMs: 0, negativeTtlMs: 0 }],
  ])('normalises %j', (env, expected) => {
    const { value, problems } = readSection(cacheSection, env);
    expect(problems).toEqual([]);
    expect(value).toMatchObject(expected);
  });

  it.each([
    ['IDNODE_CACHE', 'yes', 'IDNODE_CACHE must be one of: on, off (got "yes")'],
    ['IDNODE_CACHE_POLICY', 'lfu', 'IDNODE_CACHE_POLICY must be one of: tinylfu, lru (got "lfu")'],
    ['IDNODE_CACHE_POLICY', 'LRU', 'IDNODE_CACHE_POLICY must be one of: tinylfu, lru (got "LRU")'],
    ['IDNODE_CACHE_MAX_ENTRIES', '0', 'IDNODE_CACHE_MAX_ENTRIES must be an integer 1-999999999 (got "0")'],
    ['IDNODE_CACHE_MAX_MB', '1.5', 'IDNODE_CACHE_MAX_MB must be an integer 1-999999 (got "1.5")'],
    ['IDNODE_CACHE_MAX_TTL_S', '5m', 'IDNODE_CACHE_MAX_TTL_S must be an integer 0-9999999 (got "5m")'],
    ['IDNODE_CACHE_NEGATIVE_TTL_S', '10000', 'IDNODE_CACHE_NEGATIVE_TTL_S must be an integer 0-9999 (got "10000")'],
    ['IDNODE_CACHE_STALE_WINDOW_S', ' 1', 'IDNODE_CACHE_STALE_WINDOW_S must be an integer 0-9999999 (got " 1")'],
  ])('refuses %s=%s, naming the allowed values or shape and the value', (name, value, line) => {
    expect(readSection(cacheSection, { [name]: value }).problems).toEqual([line]);
  });

  it('reports several problems at once, each once (not "must be equal to constant" per literal)', () => {
    const { problems } = readSection(cacheSection, {
      IDNODE_CACHE_POLICY: 'lfu',
      IDNODE_CACHE: '1',
      IDNODE_CACHE_MAX_MB: 'x',
    });
    expect(problems).toEqual([
      'IDNODE_CACHE must be one of: on, off (got "1")',
      'IDNODE_CACHE_POLICY must be one of: tinylfu, lru (got "lfu")',
      'IDNODE_CACHE_MAX_MB must be an integer 1-999999 (got "x")',
    ]);
  });

  it('refuses a misspelt or made-up variable of the section', () => {
    expect(problemsOf({ IDNODE_CACHE_POLCY: 'lru', IDNODE_CACHE_SIZE: '5' })).toEqual([
      'IDNODE_CACHE_POLCY is not an idnode variable; did you mean IDNODE_CACHE_POLICY?',
      'IDNODE_CACHE_SIZE is not an idnode variable',
    ]);
  });
});
