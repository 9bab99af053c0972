import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProblem, Problems } from '../../src/config-kit/problems.ts';
import { readSection } from '../../src/config-kit/section.ts';
import { checkDataDir, storeSection } from '../../src/store/config.ts';
import { problemsOf } from './config-helpers.ts';

describe('store config section', () => {
  const redis = { kind: 'redis', namespace: 'idn', waitReplicas: 0, commandTimeoutMs: 1000 };
  it.each([
    [{}, { dataDir: resolve('./data'), backend: { kind: 'lmdb' } }],
    [{ IDNODE_DATA_DIR: '/var/lib/idnode' }, { dataDir: '/var/lib/idnode' }],
    [{ IDNODE_REDIS_URL: 'redis://127.0.0.1:6379' }, { backend: { ...redis, url: 'redis://127.0.0.1:6379' } }],
    [
      { IDNODE_REDIS_CLUSTER: 'a:7000,b.example:7001', IDNODE_REDIS_NAMESPACE: 'n1', IDNODE_REDIS_WAIT_REPLICAS: '1' },
      {
        backend: {
          ...redis,
          namespace: 'n1',
          waitReplicas: 1,
          nodes: [
            { host: 'a', port: 7000 },
            { host: 'b.example', port: 7001 },
          ],
        },
      },
    ],
    [
      { IDNODE_REDIS_URL: 'rediss://u@h:1', IDNODE_REDIS_TIMEOUT_MS: '250' },
      { backend: { ...redis, url: 'rediss://u@h:1', commandTimeoutMs: 250 } },
    ],
  ])('normalises %j', (env, expected) => {
    const { value, problems } = readSection(storeSection, env);
    expect(problems).toEqual([]);
    expect(value).toMatchObject(expected);
  });

  it.each([
    [
      'IDNODE_REDIS_URL',
      'http://x',
      'IDNODE_REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379 (got "http://x")',
    ],
    [
      'IDNODE_REDIS_CLUSTER',
      'a:7000;b:7001',
      'IDNODE_REDIS_CLUSTER must be host:port pairs separated by commas, e.g. 10.0.0.1:7000,10.0.0.2:7000 (got "a:7000;b:7001")',
    ],
    ['IDNODE_REDIS_CLUSTER', 'a:70000', 'IDNODE_REDIS_CLUSTER has a port out of 1-65535 (got 70000)'],
    [
      'IDNODE_REDIS_NAMESPACE',
      'a b',
      "IDNODE_REDIS_NAMESPACE must be 1-64 letters, digits, '.', '_' or '-' (got \"a b\")",
    ],
    ['IDNODE_REDIS_WAIT_REPLICAS', '10', 'IDNODE_REDIS_WAIT_REPLICAS must be an integer 0-9 (got "10")'],
    ['IDNODE_REDIS_TIMEOUT_MS', '5', 'IDNODE_REDIS_TIMEOUT_MS must be an integer 10-999999 (got "5")'],
  ])('refuses %s=%s, naming the shape and the value', (name, value, line) => {
    expect(readSection(storeSection, { [name]: value }).problems).toEqual([line]);
  });

  it('never shows the password of a Redis URL', () => {
    const { problems } = readSection(storeSection, { IDNODE_REDIS_URL: 'redis://user:s3cret@host:6379 x' });
    expect(problems).toEqual([
      'IDNODE_REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379 (got "redis://***@host:6379 x")',
    ]);
  });

  it('reports several problems at once, and both Redis kinds set', () => {
    const { problems } = readSection(storeSection, {
      IDNODE_REDIS_URL: 'redis://h:1',
      IDNODE_REDIS_CLUSTER: 'a:1',
      IDNODE_REDIS_WAIT_REPLICAS: 'all',
    });
    expect(problems).toEqual([
      'IDNODE_REDIS_WAIT_REPLICAS must be an integer 0-9 (got "all")',
      'IDNODE_REDIS_URL and IDNODE_REDIS_CLUSTER are both set: set one, not both',
    ]);
  });

  it('flags mirror the variables (--data-dir, --redis-url) and win over the environment', () => {
    expect(problemsOf({ IDNODE_DATA_DIR: '/a' }, ['--data-dir', '/b', '--redis-url', 'redis://h:1'])).toEqual([]);
    expect(problemsOf({}, ['--redis-namespace', 'a b'])).toEqual([
      "IDNODE_REDIS_NAMESPACE (--redis-namespace) must be 1-64 letters, digits, '.', '_' or '-' (got \"a b\")",
    ]);
  });

  it('refuses a misspelt variable of the section, naming the right one', () => {
    expect(problemsOf({ IDNODE_REDIS_ULR: 'redis://h:1' })).toEqual([
      'IDNODE_REDIS_ULR is not an idnode variable; did you mean IDNODE_REDIS_URL?',
    ]);
  });
});

describe('data directory check', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idnode-datadir-'));
    await writeFile(join(dir, 'a-file'), 'x');
    await mkdir(join(dir, 'existing'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const check = async (path: string) => {
    const problems = new Problems();
    await checkDataDir(path, problems);
    return problems.list.map(formatProblem);
  };

  it('accepts an existing directory and one that can be created', async () => {
    expect(await check(join(dir, 'existing'))).toEqual([]);
    expect(await check(join(dir, 'new', 'deeper'))).toEqual([]);
  });

  it('refuses a file, and a path under a file', async () => {
    const file = join(dir, 'a-file');
    expect(await check(file)).toEqual([
      `IDNODE_DATA_DIR must be a writable directory or one that can be created (got ${JSON.stringify(file)}: a file, not a directory)`,
    ]);
    expect(await check(join(file, 'sub'))).toEqual([
      `IDNODE_DATA_DIR must be a writable directory or one that can be created (got ${JSON.stringify(join(file, 'sub'))}: ${file} is a file)`,
    ]);
  });
});
