import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, NODE_BIN } from '../helpers/spawn-node.ts';
import { ROOT } from '../../../loadtest/lib/processes.ts';

/*
 * node/src/start.ts, the entry of `npm start`: one process (execve keeps the PID) that runs with
 * the heap flags and Node's compile cache, whose entries are on disk once the node is ready (not
 * only at exit), and that the re-exec shares through NODE_COMPILE_CACHE.
 */

let dir: string;
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(root: string): Promise<number> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}

describe('start.ts', () => {
  it('re-execs itself with the heap flags in the same process and writes the compile cache once ready', async () => {
    dir = await mkdtemp(join(tmpdir(), 'idnode-start-'));
    const cache = join(dir, 'compile-cache');
    const port = await freePort();
    const child = spawn(NODE_BIN, [join(ROOT, 'node', 'src', 'start.ts')], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        NODE_COMPILE_CACHE: cache,
        IDNODE_DATA_DIR: join(dir, 'data'),
        IDNODE_HTTP_PORT: String(port),
        IDNODE_HOST: '127.0.0.1',
        IDNODE_ADMIN_SECRET: 'start-entry-secret-0123456789',
        IDNODE_HANDLE_PORT: 'off',
        IDNODE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/livez`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`node did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const argv = (await readFile(`/proc/${child.pid}/cmdline`, 'utf8')).split('\0');
      expect(argv.some((a) => a.startsWith('--max-old-space-size='))).toBe(true);
      expect(argv.some((a) => a.endsWith(join('node', 'src', 'start.ts')))).toBe(true);
      // Flushed at ready, before any exit: main.ts and its imports are in the cache.
      for (let i = 0; i < 100 && (await files(cache)) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await files(cache)).toBeGreaterThan(50);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 90_000);
});
