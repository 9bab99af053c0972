import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runNodeToExit, type ExitedNode } from '../helpers/spawn-node.ts';

/**
 * A node that cannot start says why in one line per problem, naming what to change, and exits 2:
 * never a stack trace, and a configuration problem is found before anything is created.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idnode-startup-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const lines = (r: ExitedNode) => r.stderr.split('\n').filter((l) => l !== '');

function expectOneLinePerProblem(r: ExitedNode, expected: readonly string[]) {
  expect(r.code, r.stderr).toBe(2);
  expect(lines(r)).toEqual(expected.map((l) => `idnode: ${l}`));
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('startup failures', () => {
  it('a port in use', async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const r = await runNodeToExit({ IDNODE_DATA_DIR: join(dir, 'port'), IDNODE_HTTP_PORT: String(port) });
      expectOneLinePerProblem(r, [`cannot listen on 127.0.0.1:${port}: address already in use (set IDNODE_HTTP_PORT)`]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('a gRPC port in use', async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const env = { IDNODE_DATA_DIR: join(dir, 'grpc'), IDNODE_HTTP_PORT: String(await freePort()) };
      const r = await runNodeToExit({ ...env, IDNODE_GRPC_PORT: String(port) });
      expectOneLinePerProblem(r, [
        `cannot listen on 127.0.0.1:${port} (gRPC): address already in use (set IDNODE_GRPC_PORT)`,
      ]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('a host name that does not resolve, found before the data directory is created', async () => {
    const dataDir = join(dir, 'host');
    const r = await runNodeToExit({ IDNODE_DATA_DIR: dataDir, IDNODE_HOST: 'idnode-test.invalid' });
    expectOneLinePerProblem(r, [
      'IDNODE_HOST must be an IP address or a host name that resolves (got "idnode-test.invalid": ENOTFOUND)',
    ]);
    await expect(readdir(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a data directory that is a file', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory\n');
    const r = await runNodeToExit({ IDNODE_DATA_DIR: file });
    expectOneLinePerProblem(r, [
      `IDNODE_DATA_DIR must be a writable directory or one that can be created (got ${JSON.stringify(file)}: a file, not a directory)`,
    ]);
  });

  it('two bad variables at once: both reported, nothing created', async () => {
    const dataDir = join(dir, 'two');
    const r = await runNodeToExit({ IDNODE_DATA_DIR: dataDir, IDNODE_HTTP_PORT: '80a', IDNODE_CACHE_POLICY: 'lfu' });
    expectOneLinePerProblem(r, [
      'IDNODE_HTTP_PORT must be an integer 1-65535 (got "80a")',
      'IDNODE_CACHE_POLICY must be one of: tinylfu, lru (got "lfu")',
    ]);
    await expect(readdir(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('an unknown variable and a bad flag', async () => {
    const r = await runNodeToExit({ IDNODE_DATA_DIR: join(dir, 'unknown'), IDNODE_CACHE_POLCY: 'lru' }, [
      '--port',
      'x',
    ]);
    expectOneLinePerProblem(r, [
      'IDNODE_CACHE_POLCY is not an idnode variable; did you mean IDNODE_CACHE_POLICY?',
      'IDNODE_HTTP_PORT (--port) must be an integer 1-65535 (got "x")',
    ]);
  });

  it('a store that cannot be opened', async () => {
    const dataDir = await mkdtemp(join(dir, 'store-'));
    await writeFile(join(dataDir, 'lmdb'), 'in the way\n');
    const r = await runNodeToExit({ IDNODE_DATA_DIR: dataDir, IDNODE_HTTP_PORT: String(await freePort()) });
    expect(r.code, r.stderr).toBe(2);
    expect(lines(r)).toHaveLength(1);
    expect(lines(r)[0]).toMatch(
      new RegExp(
        `^idnode: cannot open the LMDB store in ${join(dataDir, 'lmdb')}: EEXIST: .+ \\(check IDNODE_DATA_DIR\\)$`,
      ),
    );
  });
});
