import { BENCH_PREFIX } from '../lib/seed-store.ts';

/** The environment of a benchmarked node: its data, its port on 127.0.0.1, quiet logs, no drain wait. */
export function benchNodeEnv(dataDir: string, port: number, adminSecret: string): Record<string, string> {
  return {
    IDNODE_DATA_DIR: dataDir,
    IDNODE_HTTP_PORT: String(port),
    IDNODE_HOST: '127.0.0.1',
    IDNODE_ADMIN_SECRET: adminSecret,
    IDNODE_LOG_LEVEL: 'warn',
    IDNODE_PREFIXES: BENCH_PREFIX,
    IDNODE_DRAIN_DELAY_MS: '0',
  };
}
