import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runMemory } from './lib/memory-run.ts';

/**
 * npm run bench:memory   a node with IDNODE_CACHE_MAX_MB=64 resolves 1,000,000 distinct identifiers
 *                        (100,000 registered, seeded into LMDB; the rest not found: negative entries),
 *                        then reports RSS and the cache gauges; exits 1 if the cache exceeds its bound.
 * --requests n --registered n --max-mb n --max-entries n (default 200000, the node's default) --connections c --out dir
 */

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000000' },
    registered: { type: 'string', default: '100000' },
    'max-mb': { type: 'string', default: '64' },
    'max-entries': { type: 'string', default: '200000' },
    connections: { type: 'string', default: '50' },
    out: { type: 'string', default: join(import.meta.dirname, 'results') },
  },
});

const report = await runMemory({
  requests: Number(values.requests),
  registered: Number(values.registered),
  maxMb: Number(values['max-mb']),
  maxEntries: Number(values['max-entries']),
  connections: Number(values.connections),
  log: (line) => process.stderr.write(line + '\n'),
});
await mkdir(values.out, { recursive: true });
await writeFile(join(values.out, 'memory.json'), JSON.stringify(report, null, 2) + '\n');
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
if (!(report.cache_bytes <= report.cache_bound_bytes)) {
  process.stderr.write(`cache holds ${report.cache_bytes} bytes, over its bound of ${report.cache_bound_bytes}\n`);
  process.exit(1);
}
