import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runMemory } from './lib/memory-run.ts';
import { lmdbFixture } from './memory/fixture.ts';
import { runScan } from './memory/scan-run.ts';

/**
 * npm run bench:memory   a store of --identifiers (10,000,000) written straight into LMDB (cached
 *                        under the temp dir), then: time from spawn to ready (beside an empty store),
 *                        and RssAnon while --scan (1,000,000) distinct registered identifiers are
 *                        resolved with the default cache settings.
 *   --identifiers n --scan n --connections c --out dir
 * npm run bench:memory -- --cache-bound   the cache's byte bound instead: IDNODE_CACHE_MAX_MB=64 and
 *                        1,000,000 distinct identifiers (100,000 registered); exits 1 over the bound.
 *   --requests n --registered n --max-mb n --max-entries n (200000) --connections c --out dir
 */

const { values } = parseArgs({
  options: {
    'cache-bound': { type: 'boolean', default: false },
    identifiers: { type: 'string', default: '10000000' },
    scan: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '1000000' },
    registered: { type: 'string', default: '100000' },
    'max-mb': { type: 'string', default: '64' },
    'max-entries': { type: 'string', default: '200000' },
    connections: { type: 'string', default: '50' },
    out: { type: 'string', default: join(import.meta.dirname, 'results') },
  },
});
const log = (line: string): void => void process.stderr.write(line + '\n');
await mkdir(values.out, { recursive: true });

if (values['cache-bound']) {
  const report = await runMemory({
    requests: Number(values.requests),
    registered: Number(values.registered),
    maxMb: Number(values['max-mb']),
    maxEntries: Number(values['max-entries']),
    connections: Number(values.connections),
    log,
  });
  await writeFile(join(values.out, 'memory.json'), JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  if (!(report.cache_bytes <= report.cache_bound_bytes)) {
    log(`cache holds ${report.cache_bytes} bytes, over its bound of ${report.cache_bound_bytes}`);
    process.exit(1);
  }
} else {
  const identifiers = Number(values.identifiers);
  const t = performance.now();
  const fixtureDir = await lmdbFixture(identifiers, log);
  log(`fixture of ${identifiers} identifiers at ${fixtureDir} (${Math.round((performance.now() - t) / 1000)} s)`);
  const loadBefore = loadavg();
  const report = await runScan({
    fixtureDir,
    identifiers,
    scan: Number(values.scan),
    connections: Number(values.connections),
    log,
  });
  const full = { ...report, load_average_before: loadBefore, load_average_after: loadavg() };
  await writeFile(join(values.out, 'memory-large-store.json'), JSON.stringify(full, null, 2) + '\n');
  process.stdout.write(JSON.stringify(full, null, 2) + '\n');
}
