import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsDefinedInCode } from '../helpers/code-metrics.ts';
import { startTestNode, type TestNode } from '../helpers/test-node.ts';

// docs/metrics.md must list every metric the code registers, and only those: a new metric without a row
// (or a row left behind by a removed metric) fails here.
const ROOT = join(import.meta.dirname, '../../..');
const catalogue = readFileSync(join(ROOT, 'docs/metrics.md'), 'utf8');
// The names in the first cell of each table row (a row may name several, as the default metrics' one does).
const rows = catalogue
  .split('\n')
  .filter((line) => line.startsWith('| `idnode_'))
  .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`(idnode_[a-z0-9_*]+)`/g)].map((m) => m[1] ?? ''));
const WILDCARDS = rows.filter((r) => r.endsWith('*')).map((r) => r.slice(0, -1));
const exact = new Set(rows.filter((r) => !r.endsWith('*')));
const documented = (name: string): boolean => exact.has(name) || WILDCARDS.some((w) => name.startsWith(w));

/** Metrics of the other roles (federation, sync) are registered only there. */
const defined = metricsDefinedInCode(ROOT);

describe('docs/metrics.md is the catalogue of the metrics', () => {
  let node: TestNode;
  let registered: string[];
  beforeAll(async () => {
    node = await startTestNode(['88.100.5']);
    await fetch(`${node.url}/api/handles/88.100.5/NOTHING`);
    registered = (await node.ctx.metrics.registry.getMetricsAsJSON()).map((m) => m.name);
  });
  afterAll(() => node.close());

  it('has a row for every metric a started node registers', () => {
    expect(registered.length).toBeGreaterThan(10);
    expect(registered.filter((n) => !documented(n))).toEqual([]);
  });
  it('has a row for every metric defined in node/src (every role)', () => {
    expect(defined.size).toBeGreaterThan(10);
    expect([...defined].filter((n) => !documented(n))).toEqual([]);
  });
  it('has no row for a metric that no longer exists', () => {
    const known = new Set([...registered, ...defined]);
    expect([...exact].filter((r) => !known.has(r))).toEqual([]);
    for (const w of WILDCARDS) expect(registered.some((n) => n.startsWith(w))).toBe(true);
  });
});
