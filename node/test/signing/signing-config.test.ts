import { describe, expect, it } from 'vitest';
import { readSection } from '../../src/config-kit/section.ts';
import { signingSection } from '../../src/signing/config.ts';

describe('signing config section (IDNODE_SIGN_ANSWERS)', () => {
  it.each([
    [{}, 'requested'],
    [{ IDNODE_SIGN_ANSWERS: 'off' }, 'off'],
    [{ IDNODE_SIGN_ANSWERS: 'always' }, 'always'],
  ])('normalises %j', (env, mode) => {
    const { value, problems } = readSection(signingSection, env);
    expect(problems).toEqual([]);
    expect(value).toEqual({ mode });
  });

  it('refuses another value, naming the allowed ones', () => {
    expect(readSection(signingSection, { IDNODE_SIGN_ANSWERS: 'yes' }).problems).toEqual([
      'IDNODE_SIGN_ANSWERS must be one of: off, requested, always (got "yes")',
    ]);
  });
});
