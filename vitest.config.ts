import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'node/test/**/*.test.ts',
      'prefix-registry/test/**/*.test.ts',
      'loadtest/test/**/*.test.ts',
      'deploy/test/**/*.test.ts',
      'proto/test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Process-level tests (SIGKILL, redis-server) need room on a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
