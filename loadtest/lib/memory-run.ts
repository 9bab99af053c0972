import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, makeTempDir, removeDir, ROOT, spawnServer } from './processes.ts';
import { BENCH_PREFIX, benchHandle, seedStore } from './seed-store.ts';

/**
 * Memory bound of the resolution cache: one node with IDNODE_CACHE_MAX_MB resolves `requests`
 * distinct identifiers (every `registeredEvery`-th one registered, seeded into its LMDB store; the
 * rest unregistered, so negative entries), then RSS and the cache gauges are read.
 */

export interface MemoryOptions {
  readonly requests: number;
  /** Registered identifiers seeded (benchHandle(0 .. registered-1)); one request in `requests / registered`. */
  readonly registered: number;
  readonly maxMb: number;
  /** High enough that the byte bound, not the entry bound, is the one that binds. */
  readonly maxEntries: number;
  readonly connections: number;
  readonly log: (line: string) => void;
}

export interface MemoryReport {
  readonly requests: number;
  readonly distinct_identifiers: number;
  readonly registered: number;
  readonly max_mb: number;
  readonly max_entries: number;
  readonly duration_s: number;
  readonly rps: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly cache_bytes: number;
  readonly cache_bound_bytes: number;
  readonly cache_entries: number;
  readonly cache_evictions: number;
  readonly rss_before_mib: number;
  readonly rss_after_mib: number;
  readonly rss_peak_mib: number;
  readonly heap_used_before_mib: number;
  readonly heap_used_mib: number;
}

const MiB = 1024 * 1024;

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/** VmRSS / VmHWM of a process we started, in MiB. */
async function rssOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** The i-th identifier of the trace: every one distinct. */
function identifierAt(i: number, every: number, registered: number): string {
  if (i % every === 0 && i / every < registered) return benchHandle(i / every);
  return `${BENCH_PREFIX}/MEM-${i}`;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

export async function runMemory(o: MemoryOptions): Promise<MemoryReport> {
  const dataDir = await makeTempDir();
  try {
    const t = performance.now();
    await seedStore(dataDir, o.registered);
    o.log(`seeded ${o.registered} identifiers in ${Math.round(performance.now() - t)} ms`);
    const port = await freePort();
    const node = await spawnServer({
      name: 'node',
      script: join(ROOT, 'node', 'src', 'main.ts'),
      port,
      readyPath: '/livez',
      env: {
        IDNODE_DATA_DIR: dataDir,
        IDNODE_HTTP_PORT: String(port),
        IDNODE_HOST: '127.0.0.1',
        IDNODE_ADMIN_SECRET: randomBytes(18).toString('base64url'),
        IDNODE_LOG_LEVEL: 'warn',
        IDNODE_PREFIXES: BENCH_PREFIX,
        IDNODE_CACHE_MAX_MB: String(o.maxMb),
        IDNODE_CACHE_MAX_ENTRIES: String(o.maxEntries),
      },
    });
    try {
      const before = await rssOf(node.pid);
      const heapBefore = metric(
        await (await fetch(`${node.url}/metrics`)).text(),
        'idnode_nodejs_heap_size_used_bytes',
      );
      const every = Math.max(1, Math.floor(o.requests / Math.max(1, o.registered)));
      let next = 0;
      const statuses: Record<string, number> = {};
      const started = performance.now();
      let lastLog = started;
      const result = await new Promise<autocannon.Result>((resolve, reject) => {
        const instance = autocannon(
          {
            url: node.url,
            connections: o.connections,
            amount: o.requests,
            timeout: 10,
            requests: [
              {
                setupRequest: (req) => ({
                  ...req,
                  method: 'GET',
                  path: `/api/handles/${identifierAt(next++, every, o.registered)}`,
                }),
              },
            ],
          },
          (err, res) => (err ? reject(err as Error) : resolve(res)),
        );
        instance.on('response', (_c, status) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
          const now = performance.now();
          if (now - lastLog > 10_000) {
            lastLog = now;
            o.log(`  ${next} requests sent, ${Math.round((now - started) / 1000)} s`);
          }
        });
      });
      const durationS = (performance.now() - started) / 1000;
      // A moment idle first, so the figures are less about garbage not yet collected.
      await new Promise((r) => setTimeout(r, 2000));
      const text = await (await fetch(`${node.url}/metrics`)).text();
      const after = await rssOf(node.pid);
      const completed = Object.values(statuses).reduce((a, b) => a + b, 0);
      return {
        requests: completed,
        distinct_identifiers: next,
        registered: o.registered,
        max_mb: o.maxMb,
        max_entries: o.maxEntries,
        duration_s: round1(durationS),
        rps: Math.round(completed / durationS),
        statuses,
        errors: result.errors + result.timeouts + completed - (statuses['200'] ?? 0) - (statuses['404'] ?? 0),
        cache_bytes: metric(text, 'idnode_cache_size_bytes'),
        cache_bound_bytes: o.maxMb * MiB,
        cache_entries: metric(text, 'idnode_cache_entries'),
        cache_evictions: metric(text, 'idnode_cache_evictions_total'),
        rss_before_mib: round1(before.rss),
        rss_after_mib: round1(after.rss),
        rss_peak_mib: round1(after.peak),
        heap_used_before_mib: round1(heapBefore / MiB),
        heap_used_mib: round1(metric(text, 'idnode_nodejs_heap_size_used_bytes') / MiB),
      };
    } finally {
      await node.stop();
    }
  } finally {
    await removeDir(dataDir);
  }
}
