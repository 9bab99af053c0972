import { describe, expect, it } from 'vitest';
import { readSection } from '../../src/config-kit/section.ts';
import { logSection, metricsSection } from '../../src/observability/config.ts';
import { problemsOf } from './config-helpers.ts';

describe('log config section', () => {
  it.each([
    [{}, 'info'],
    [{ IDNODE_LOG_LEVEL: 'warn' }, 'warn'],
    [{ IDNODE_LOG_LEVEL: 'silent' }, 'silent'],
  ])('normalises %j', (env, level) => {
    expect(readSection(logSection, env)).toEqual({ value: { level }, problems: [] });
  });

  it('refuses an unknown level, naming every allowed one once', () => {
    expect(readSection(logSection, { IDNODE_LOG_LEVEL: 'verbose' }).problems).toEqual([
      'IDNODE_LOG_LEVEL must be one of: fatal, error, warn, info, debug, trace, silent (got "verbose")',
    ]);
  });

  it('flags mirror the variable (--log-level)', () => {
    expect(problemsOf({}, ['--log-level', 'WARN'])).toEqual([
      'IDNODE_LOG_LEVEL (--log-level) must be one of: fatal, error, warn, info, debug, trace, silent (got "WARN")',
    ]);
  });

  it('refuses a misspelt variable of the section, naming the right one', () => {
    expect(problemsOf({ IDNODE_LOGLEVEL: 'warn' })).toEqual([
      'IDNODE_LOGLEVEL is not an idnode variable; did you mean IDNODE_LOG_LEVEL?',
    ]);
  });
});

describe('metrics config section', () => {
  it.each([
    [{}, { prefixes: [], prefixLimit: 50 }],
    [
      { IDNODE_METRICS_PREFIXES: '88.100.5,88.200.7', IDNODE_METRICS_PREFIX_LIMIT: '10' },
      { prefixes: ['88.100.5', '88.200.7'], prefixLimit: 10 },
    ],
  ])('normalises %j', (env, value) => {
    expect(readSection(metricsSection, env)).toEqual({ value, problems: [] });
  });

  it('reports a bad limit and a bad prefix together', () => {
    const { problems } = readSection(metricsSection, {
      IDNODE_METRICS_PREFIXES: '88.100.5,8 8',
      IDNODE_METRICS_PREFIX_LIMIT: 'many',
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe('IDNODE_METRICS_PREFIX_LIMIT must be an integer 1-10000 (got "many")');
    expect(problems[1]).toMatch(/^IDNODE_METRICS_PREFIXES has a bad prefix "8 8": /);
  });

  it('refuses a misspelt variable of the section, naming the right one', () => {
    expect(problemsOf({ IDNODE_METRICS_PREFIX: '88' })).toEqual([
      'IDNODE_METRICS_PREFIX is not an idnode variable; did you mean IDNODE_METRICS_PREFIXES or IDNODE_METRICS_PREFIX_LIMIT?',
    ]);
  });
});
