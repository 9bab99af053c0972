import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Every `node node/src/main.ts` and `idnode` CLI a test spawns strips and compiles the same
// TypeScript again; Node's compile cache (keyed by file content, so never stale) saves a large part
// of each start. Spawned processes inherit it through process.env.
const NODE_COMPILE_CACHE =
  process.env.NODE_COMPILE_CACHE ?? join(import.meta.dirname, 'node_modules', '.cache', 'node-compile');

export default defineConfig({
  test: {
    include: [
      'node/test/**/*.test.ts',
      'prefix-registry/test/**/*.test.ts',
      'loadtest/test/**/*.test.ts',
      'deploy/test/**/*.test.ts',
      'proto/test/**/*.test.ts',
    ],
    env: { NODE_COMPILE_CACHE },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Process-level tests (SIGKILL, redis-server) need room on a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
