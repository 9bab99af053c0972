import { describe, expect, it } from 'vitest';
import { formatProblem, Problems } from '../../src/config-kit/problems.ts';
import { readSection } from '../../src/config-kit/section.ts';
import { checkListenHost, httpSection } from '../../src/http/config.ts';
import { problemsOf } from './config-helpers.ts';

describe('http config section', () => {
  it.each([
    [{}, { port: 8080, host: '127.0.0.1', drainDelayMs: 1000, accessLogSample: 0.01, authRatePerSecond: 50 }],
    [
      { IDNODE_HTTP_PORT: '65535', IDNODE_HOST: '0.0.0.0' },
      { port: 65535, host: '0.0.0.0' },
    ],
    [{ IDNODE_HOST: '::' }, { host: '::' }],
    [{ IDNODE_HOST: 'idnode-top_1.local' }, { host: 'idnode-top_1.local' }],
    [{ IDNODE_DRAIN_DELAY_MS: '0' }, { drainDelayMs: 0 }],
    [{ IDNODE_ACCESS_LOG_SAMPLE: '1' }, { accessLogSample: 1 }],
    [{ IDNODE_ACCESS_LOG_SAMPLE: '0.000001' }, { accessLogSample: 0.000001 }],
    [{ IDNODE_AUTH_RATE_PER_S: '7' }, { authRatePerSecond: 7 }],
    // An empty value counts as unset, as in a compose file's `${VAR:-}`.
    [{ IDNODE_HTTP_PORT: '' }, { port: 8080 }],
  ])('normalises %j', (env, expected) => {
    const { value, problems } = readSection(httpSection, env);
    expect(problems).toEqual([]);
    expect(value).toMatchObject(expected);
  });

  it.each([
    ['IDNODE_HTTP_PORT', '80a', 'IDNODE_HTTP_PORT must be an integer 1-65535 (got "80a")'],
    ['IDNODE_HTTP_PORT', '0', 'IDNODE_HTTP_PORT must be an integer 1-65535 (got "0")'],
    ['IDNODE_HTTP_PORT', '65536', 'IDNODE_HTTP_PORT must be an integer 1-65535 (got "65536")'],
    ['IDNODE_HTTP_PORT', '-1', 'IDNODE_HTTP_PORT must be an integer 1-65535 (got "-1")'],
    [
      'IDNODE_HOST',
      'my host',
      'IDNODE_HOST must be a host name or IP address, e.g. 127.0.0.1, 0.0.0.0, :: (got "my host")',
    ],
    ['IDNODE_DRAIN_DELAY_MS', '1s', 'IDNODE_DRAIN_DELAY_MS must be an integer 0-999999 (got "1s")'],
    [
      'IDNODE_ACCESS_LOG_SAMPLE',
      '1.5',
      'IDNODE_ACCESS_LOG_SAMPLE must be a number 0-1 with at most 6 decimals, e.g. 0.01 (got "1.5")',
    ],
    ['IDNODE_AUTH_RATE_PER_S', '0', 'IDNODE_AUTH_RATE_PER_S must be an integer 1-999999 (got "0")'],
  ])('refuses %s=%s, naming the shape and the value', (name, value, line) => {
    const { value: normalised, problems } = readSection(httpSection, { [name]: value });
    expect(problems).toEqual([line]);
    // The bad value is replaced by its default, so the rest of the section still normalises.
    expect(normalised.port).toBeTypeOf('number');
  });

  it('reports every bad variable of the section at once', () => {
    const { problems } = readSection(httpSection, { IDNODE_HTTP_PORT: 'x', IDNODE_AUTH_RATE_PER_S: 'y' });
    expect(problems).toEqual([
      'IDNODE_HTTP_PORT must be an integer 1-65535 (got "x")',
      'IDNODE_AUTH_RATE_PER_S must be an integer 1-999999 (got "y")',
    ]);
  });

  it('refuses a misspelt variable of the section, naming the right one', () => {
    expect(problemsOf({ IDNODE_HTTP_PROT: '80' })).toEqual([
      'IDNODE_HTTP_PROT is not an idnode variable; did you mean IDNODE_HTTP_PORT?',
    ]);
  });
});

describe('listen host check', () => {
  it.each([['127.0.0.1'], ['::1'], ['localhost']])('accepts %s', async (host) => {
    const problems = new Problems();
    await checkListenHost(host, problems);
    expect(problems.list).toEqual([]);
  });

  it('refuses a name that does not resolve', async () => {
    const problems = new Problems();
    await checkListenHost('no-such-host.invalid', problems);
    expect(problems.list.map(formatProblem)).toEqual([
      'IDNODE_HOST must be an IP address or a host name that resolves (got "no-such-host.invalid": ENOTFOUND)',
    ]);
  });
});
