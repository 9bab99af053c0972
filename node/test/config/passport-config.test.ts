import { describe, expect, it } from 'vitest';
import { readSection } from '../../src/config-kit/section.ts';
import { passportSection } from '../../src/passport/config.ts';
import { problemsOf } from './config-helpers.ts';

const URL_SHAPE = 'an absolute http(s) URL without query or fragment, e.g. https://id.example.com';

describe('passport config section', () => {
  it.each([
    [{}, { publicUrl: undefined, gs1Prefix: undefined }],
    [{ IDNODE_PUBLIC_URL: 'https://id.example.com/' }, { publicUrl: 'https://id.example.com' }],
    [{ IDNODE_PUBLIC_URL: 'http://10.0.0.5:8080/resolver//' }, { publicUrl: 'http://10.0.0.5:8080/resolver' }],
    [{ IDNODE_GS1_PREFIX: '88.100.5' }, { gs1Prefix: '88.100.5' }],
  ])('normalises %j', (env, expected) => {
    const { value, problems } = readSection(passportSection, env);
    expect(problems).toEqual([]);
    expect(value).toEqual({ publicUrl: undefined, gs1Prefix: undefined, ...expected });
  });

  it.each([
    [
      'IDNODE_PUBLIC_URL',
      'id.example.com',
      `IDNODE_PUBLIC_URL must be ${URL_SHAPE} (got "id.example.com": not an absolute URL)`,
    ],
    [
      'IDNODE_PUBLIC_URL',
      'ftp://id.example.com',
      `IDNODE_PUBLIC_URL must be ${URL_SHAPE} (got "ftp://id.example.com": scheme ftp:)`,
    ],
    [
      'IDNODE_PUBLIC_URL',
      'https://id.example.com/?a=1',
      `IDNODE_PUBLIC_URL must be ${URL_SHAPE} (got "https://id.example.com/?a=1": it has a query or fragment)`,
    ],
    [
      'IDNODE_PUBLIC_URL',
      `https://${'a'.repeat(600)}`,
      `IDNODE_PUBLIC_URL must be ${URL_SHAPE} (got "https://${'a'.repeat(600)}")`,
    ],
  ])('refuses %s=%s, naming the shape and the value', (name, value, line) => {
    expect(readSection(passportSection, { [name]: value }).problems).toEqual([line]);
  });

  it("refuses a GS1 prefix that is no prefix, with the parser's reason", () => {
    const { problems } = readSection(passportSection, { IDNODE_GS1_PREFIX: '88/100' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^IDNODE_GS1_PREFIX must be a prefix \(got "88\/100": .+\)$/);
  });

  it('reports several problems at once', () => {
    const { problems } = readSection(passportSection, { IDNODE_PUBLIC_URL: 'nope', IDNODE_GS1_PREFIX: '88 1' });
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['IDNODE_PUBLIC_URL', 'IDNODE_GS1_PREFIX']);
  });

  it('refuses a misspelt variable of the section, naming the right one', () => {
    expect(problemsOf({ IDNODE_PUBLIC_URI: 'https://x' })).toEqual([
      'IDNODE_PUBLIC_URI is not an idnode variable; did you mean IDNODE_PUBLIC_URL?',
    ]);
  });
});
