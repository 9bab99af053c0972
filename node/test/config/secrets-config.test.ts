import { describe, expect, it } from 'vitest';
import { secretsSection } from '../../src/auth/secrets-config.ts';
import { readSection } from '../../src/config-kit/section.ts';
import { problemsOf } from './config-helpers.ts';

const KEY = Buffer.alloc(32, 9);

describe('secrets config section', () => {
  it.each([
    [{}, { adminSecret: undefined, tokenKey: undefined, sealKey: undefined }],
    [{ IDNODE_ADMIN_SECRET: 'twelve-chars' }, { adminSecret: 'twelve-chars', tokenKey: undefined, sealKey: undefined }],
    [{ IDNODE_TOKEN_KEY: KEY.toString('base64') }, { adminSecret: undefined, tokenKey: KEY, sealKey: undefined }],
    [{ IDNODE_TOKEN_KEY: KEY.toString('base64url') }, { adminSecret: undefined, tokenKey: KEY, sealKey: undefined }],
    [{ IDNODE_SEAL_KEY: KEY.toString('base64') }, { adminSecret: undefined, tokenKey: undefined, sealKey: KEY }],
    [{ IDNODE_SEAL_KEY: KEY.toString('base64url') }, { adminSecret: undefined, tokenKey: undefined, sealKey: KEY }],
  ])('normalises %j', (env, value) => {
    expect(readSection(secretsSection, env)).toEqual({ value, problems: [] });
  });

  it.each([
    ['IDNODE_ADMIN_SECRET', 'short', 'IDNODE_ADMIN_SECRET must be 12-256 characters (got 5 characters, value hidden)'],
    [
      'IDNODE_TOKEN_KEY',
      Buffer.alloc(16, 1).toString('base64'),
      'IDNODE_TOKEN_KEY must be base64 of at least 32 bytes, e.g. from `openssl rand -base64 32` (got 24 characters, value hidden)',
    ],
    [
      'IDNODE_SEAL_KEY',
      Buffer.alloc(48, 1).toString('base64'),
      'IDNODE_SEAL_KEY must be base64 of exactly 32 bytes, e.g. from `openssl rand -base64 32` (got 64 characters, value hidden)',
    ],
  ])('refuses %s without echoing the secret', (name, value, line) => {
    const { problems } = readSection(secretsSection, { [name]: value });
    expect(problems).toEqual([line]);
    expect(problems[0]).not.toContain(value);
  });

  it('has no flags: a secret on the command line is visible to every user of the machine', () => {
    expect(problemsOf({}, ['--admin-secret', 'twelve-chars-x'])).toEqual([
      '--admin-secret is not a flag: set IDNODE_ADMIN_SECRET in the environment (argv is visible to every user)',
    ]);
  });

  it('reports both secrets at once', () => {
    expect(readSection(secretsSection, { IDNODE_ADMIN_SECRET: 'x', IDNODE_TOKEN_KEY: 'y' }).problems).toHaveLength(2);
  });

  it('refuses a misspelt variable of the section, naming the right one', () => {
    expect(problemsOf({ IDNODE_ADMIN_SECRETS: 'twelve-chars-x' })).toEqual([
      'IDNODE_ADMIN_SECRETS is not an idnode variable; did you mean IDNODE_ADMIN_SECRET?',
    ]);
  });
});
