import { describe, expect, it } from 'vitest';
import { workersSection } from '../../src/cluster/config.ts';
import { readSection } from '../../src/config-kit/section.ts';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import { restartDelayMs } from '../../src/cluster/backoff.ts';

describe('workers config section (IDNODE_WORKERS)', () => {
  it.each([
    [{}, 1],
    [{ IDNODE_WORKERS: '4' }, 4],
  ])('normalises %j', (env, workers) => {
    expect(readSection(workersSection, env)).toEqual({ value: { workers }, problems: [] });
  });

  it.each(['0', '65', 'two'])('refuses IDNODE_WORKERS=%s, naming the range', (value) => {
    expect(readSection(workersSection, { IDNODE_WORKERS: value }).problems).toEqual([
      `IDNODE_WORKERS must be an integer 1-64 (got "${value}")`,
    ]);
  });

  it('several workers serve standalone and caching; other roles are told to keep one', () => {
    expect(parseConfig({ IDNODE_WORKERS: '2' }, []).workers.workers).toBe(2);
    const problems = (() => {
      try {
        parseConfig(
          { IDNODE_WORKERS: '2', IDNODE_ROLE: 'top-level', IDNODE_PREFIXES: '88', IDNODE_INSECURE_GRPC: '1' },
          [],
        );
        return [];
      } catch (e) {
        return e instanceof ConfigError ? e.problems : [String(e)];
      }
    })();
    expect(problems).toEqual([
      expect.stringMatching(/^IDNODE_WORKERS must be 1 for role top-level .*standalone and caching$/),
    ]);
  });

  it('a worker crashing in a row waits longer each time, at most 30 s', () => {
    expect([1, 2, 3, 20].map(restartDelayMs)).toEqual([250, 500, 1000, 30_000]);
  });
});
