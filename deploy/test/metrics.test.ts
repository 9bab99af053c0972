import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CACHE_POLICY } from '../../node/src/cache/cache-policy.ts';
import { ResolutionCache } from '../../node/src/cache/resolution-cache.ts';
import { NodeMetrics } from '../../node/src/observability/metrics.ts';
import { metricsDefinedInCode } from '../../node/test/helpers/code-metrics.ts';
import {
  REPO_DIR,
  arr,
  inCatalogue,
  loadYaml,
  metricNames,
  obj,
  parseCatalogue,
  readDeployFile,
  selectorLabels,
} from './helpers.ts';

/**
 * Every metric the dashboard and the alert rules name must be in the catalogue (docs/metrics.md)
 * AND be registered by the node, or be listed below as pending.
 */

// In the catalogue, not registered yet: none today. Add an entry only with its catalogue row;
// remove it once NodeMetrics registers it.
const PENDING: readonly string[] = [];

// Labels Prometheus adds at scrape time (prometheus.yml adds `role`).
const TARGET_LABELS = ['instance', 'job', 'role'];

interface Query {
  readonly where: string;
  readonly expr: string;
}

function dashboardQueries(): Query[] {
  const dash = obj(JSON.parse(readDeployFile('grafana/dashboards/idnode.json')), 'dashboard');
  const out: Query[] = [];
  for (const p of arr(dash.panels, 'panels')) {
    const panel = obj(p, 'panel');
    for (const t of arr(panel.targets ?? [], `${String(panel.title)}.targets`)) {
      out.push({ where: `panel "${String(panel.title)}"`, expr: String(obj(t, 'target').expr) });
    }
  }
  for (const v of arr(obj(dash.templating, 'templating').list, 'templating.list')) {
    const variable = obj(v, 'variable');
    out.push({ where: `variable $${String(variable.name)}`, expr: String(variable.definition) });
  }
  return out;
}

function ruleQueries(): Query[] {
  const rules = obj(loadYaml('prometheus/rules.yml'), 'rules.yml');
  return arr(rules.groups, 'groups').flatMap((g) =>
    arr(obj(g, 'group').rules, 'rules').map((r) => {
      const rule = obj(r, 'rule');
      return { where: `alert ${String(rule.alert)}`, expr: String(rule.expr) };
    }),
  );
}

const catalogue = parseCatalogue(readFileSync(join(REPO_DIR, 'docs/metrics.md'), 'utf8'));
const queries = [...dashboardQueries(), ...ruleQueries()];

describe('metric names in deploy/ (dashboard and alert rules)', () => {
  /** name -> label names, as registered by a node with its cache watched. */
  const registered = new Map<string, readonly string[]>();

  beforeAll(async () => {
    const metrics = new NodeMetrics();
    metrics.watchCache(new ResolutionCache(DEFAULT_CACHE_POLICY));
    for (const m of await metrics.registry.getMetricsAsJSON()) {
      const metric = metrics.registry.getSingleMetric(m.name) as { labelNames?: readonly string[] } | undefined;
      registered.set(m.name, metric?.labelNames ?? []);
    }
    // Federation and sync metrics are registered by those roles only: their labels come from the catalogue.
    for (const name of metricsDefinedInCode(REPO_DIR))
      if (!registered.has(name)) registered.set(name, inCatalogue(catalogue, name)?.labels ?? []);
  });

  it('parses the catalogue table', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(14);
    expect(inCatalogue(catalogue, 'idnode_resolve_duration_seconds')?.labels).toEqual(['source', 'outcome', 'prefix']);
    expect(inCatalogue(catalogue, 'idnode_process_cpu_seconds_total')?.wildcard).toBe(true);
    expect(inCatalogue(catalogue, 'idnode_nope')).toBeUndefined();
  });

  it('extracts names from PromQL (histogram suffixes stripped)', () => {
    expect(
      metricNames('histogram_quantile(0.99, sum by (le) (rate(idnode_a_seconds_bucket[5m]))) / idnode_b_total'),
    ).toEqual(['idnode_a_seconds', 'idnode_b_total']);
    expect([
      ...(selectorLabels('rate(idnode_x_count{instance=~"$i", outcome="error"}[1m])').get('idnode_x') ?? []),
    ]).toEqual(['instance', 'outcome']);
  });

  it('finds queries in the dashboard and the rules', () => {
    expect(queries.length).toBeGreaterThan(30);
    for (const q of queries)
      expect(metricNames(q.expr).length + (q.expr.includes('up{') ? 1 : 0), q.where).toBeGreaterThan(0);
  });

  it('names only catalogue metrics', () => {
    const unknown = queries.flatMap((q) =>
      metricNames(q.expr)
        .filter((n) => inCatalogue(catalogue, n) === undefined)
        .map((n) => `${q.where}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it('names only metrics the node registers, or pending ones', () => {
    const missing = queries.flatMap((q) =>
      metricNames(q.expr)
        .filter((n) => !registered.has(n) && !PENDING.includes(n))
        .map((n) => `${q.where}: ${n}`),
    );
    expect(missing).toEqual([]);
  });

  it('keeps the pending list to catalogue metrics', () => {
    for (const p of PENDING) expect(inCatalogue(catalogue, p), p).toBeDefined();
    const landed = PENDING.filter((p) => registered.has(p));
    // Not a failure (other work registers them): a reminder to shorten the list.
    if (landed.length > 0)
      console.warn(`deploy/test/metrics.test.ts: pending metrics now registered: ${landed.join(', ')}`);
  });

  it('filters only on labels the metric has', () => {
    const wrong: string[] = [];
    for (const q of queries) {
      for (const [metric, labels] of selectorLabels(q.expr)) {
        const allowed = [...(registered.get(metric) ?? inCatalogue(catalogue, metric)?.labels ?? []), ...TARGET_LABELS];
        for (const l of labels) if (!allowed.includes(l)) wrong.push(`${q.where}: ${metric}{${l}}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('takes quantiles of histogram buckets, aggregated by le', () => {
    for (const q of queries.filter((x) => x.expr.includes('histogram_quantile'))) {
      expect(q.expr, q.where).toMatch(/_bucket\{?/);
      expect(q.expr, q.where).toMatch(/by \([^)]*\ble\b[^)]*\)/);
    }
  });
});
