import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, serverVariables } from '../../src/config/load.ts';
import { problemsOf } from './config-helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idnode-load-config-'));
  await writeFile(join(dir, 'a-file'), 'x');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function loadProblems(env: Record<string, string>, argv: readonly string[] = []): Promise<readonly string[]> {
  try {
    await loadConfig(env, argv);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
}

describe('loadConfig: the whole configuration', () => {
  it('gives the defaults of every section when nothing is set', () => {
    const c = parseConfig({}, []);
    expect(c.http).toMatchObject({ port: 8080, host: '127.0.0.1' });
    expect(c.store.backend).toEqual({ kind: 'lmdb' });
    expect(c.federation).toMatchObject({ role: 'standalone', prefixes: ['88.100.5'], grpc: undefined });
    expect(c.cache.enabled).toBe(true);
    expect(c.log.level).toBe('info');
    expect(c.tls).toEqual({ files: undefined, insecure: false });
  });

  it('reports problems of every section at once; one bad value hides no other', () => {
    expect(
      problemsOf({
        IDNODE_HTTP_PORT: '80a',
        IDNODE_CACHE_POLICY: 'lfu',
        IDNODE_LOG_LEVEL: 'loud',
        IDNODE_REDIS_WAIT_REPLICAS: 'x',
        IDNODE_PUBLIC_URL: 'nope',
        IDNODE_PREFIXES: '88.100.5,8 8',
      }).map((p) => p.split(' ')[0]),
    ).toEqual([
      'IDNODE_HTTP_PORT',
      'IDNODE_REDIS_WAIT_REPLICAS',
      'IDNODE_CACHE_POLICY',
      'IDNODE_LOG_LEVEL',
      'IDNODE_PREFIXES',
      'IDNODE_PUBLIC_URL',
    ]);
  });

  it('refuses unknown IDNODE_ variables, each named, with a hint when one is close', () => {
    expect(problemsOf({ IDNODE_PORT: '80', IDNODE_CACHE_MAX: '5', IDNODE_COLOUR: 'blue' })).toEqual([
      'IDNODE_PORT is not an idnode variable; did you mean IDNODE_HTTP_PORT, IDNODE_GRPC_PORT or IDNODE_HANDLE_PORT?',
      'IDNODE_CACHE_MAX is not an idnode variable; did you mean IDNODE_CACHE_MAX_ENTRIES, IDNODE_CACHE_MAX_MB or IDNODE_CACHE_MAX_TTL_S?',
      'IDNODE_COLOUR is not an idnode variable',
    ]);
  });

  it("tolerates the idnode CLI's own variables and ignores other programs' variables", () => {
    expect(
      problemsOf({ IDNODE_URL: 'http://x', IDNODE_USER: 'u', IDNODE_SECRET: 's', PATH: '/bin', HOME: '/' }),
    ).toEqual([]);
  });

  it('refuses unknown flags and stray arguments, with a hint', () => {
    expect(problemsOf({}, ['--prot', '80', '--tls', 'x', 'stray', '--port'])).toEqual([
      '--prot is not an idnode flag; did you mean --port?',
      '--tls is not an idnode flag; did you mean --tls-cert, --tls-key or --tls-dir?',
      '"stray" is not a flag (flags are --name value)',
      '--port needs a value',
    ]);
  });

  it('takes flags over the environment, in both --name value and --name=value forms', () => {
    const c = parseConfig({ IDNODE_HTTP_PORT: '1000', IDNODE_HOST: '10.0.0.1' }, ['--port', '2000', '--host=0.0.0.0']);
    expect(c.http).toMatchObject({ port: 2000, host: '0.0.0.0' });
    expect(parseConfig({}, ['--cache-policy', 'lru', '--data-dir', '/srv/idnode']).cache.admission).toBe('lru');
  });

  it('documents every variable: a meaning, the shape expected, a default or what happens when unset', () => {
    const vars = serverVariables();
    expect(new Set(vars.map((v) => v.name)).size).toBe(vars.length);
    for (const v of vars) {
      expect(v.name).toMatch(/^IDNODE_[A-Z0-9_]+$/);
      expect(v.meaning, v.name).not.toBe('');
      expect(v.expected, v.name).not.toBe('a valid value');
      expect(v.default, v.name).not.toBe('');
    }
  });

  it('checks the files and names the configuration points at, with the other problems, before any side effect', async () => {
    const file = join(dir, 'a-file');
    const problems = await loadProblems({
      IDNODE_DATA_DIR: file,
      IDNODE_HOST: 'nowhere.invalid',
      IDNODE_TLS_DIR: join(dir, 'no-tls'),
      IDNODE_TRUSTED_ISSUERS: join(dir, 'no-trust.json'),
      IDNODE_CACHE: 'maybe',
    });
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual([
      'IDNODE_CACHE',
      'IDNODE_DATA_DIR',
      'IDNODE_HOST',
      'IDNODE_TLS_DIR',
      'IDNODE_TLS_DIR',
      'IDNODE_TLS_DIR',
      'IDNODE_TRUSTED_ISSUERS',
    ]);
    expect(problems).toContain(
      `IDNODE_DATA_DIR must be a writable directory or one that can be created (got ${JSON.stringify(file)}: a file, not a directory)`,
    );
  });

  it('loads a good configuration with nothing to read', async () => {
    const c = await loadConfig({ IDNODE_DATA_DIR: join(dir, 'data'), IDNODE_PUBLIC_URL: 'https://id.example.com' }, []);
    expect(c.tlsMaterial).toBeUndefined();
    expect(c.trustedIssuers.audience).toEqual(['https://id.example.com']);
  });
});
