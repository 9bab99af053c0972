import { describe, expect, it } from 'vitest';
import { sessionsSection } from '../../src/auth/sessions/config.ts';
import { readSection } from '../../src/config-kit/section.ts';

describe('sessions config section', () => {
  it.each([
    [{}, { ttlMs: 1_800_000, max: 10_000 }],
    [
      { IDNODE_SESSION_TTL_S: '60', IDNODE_SESSION_MAX: '10' },
      { ttlMs: 60_000, max: 10 },
    ],
  ])('normalises %j', (env, value) => {
    expect(readSection(sessionsSection, env)).toEqual({ value, problems: [] });
  });

  it.each([
    ['IDNODE_SESSION_TTL_S', '59', 'an integer 60-86400'],
    ['IDNODE_SESSION_MAX', '0', 'an integer 10-1000000'],
  ])('refuses %s=%s, naming the range', (name, value, range) => {
    const { problems } = readSection(sessionsSection, { [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
    expect(problems[0]).toContain(range);
  });
});
