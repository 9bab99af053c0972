import { describe, expect, it } from 'vitest';
import { arr, loadYaml, metricNames, obj, readDeployFile } from './helpers.ts';

const dash = obj(JSON.parse(readDeployFile('grafana/dashboards/idnode.json')), 'dashboard');
const panels = arr(dash.panels, 'panels').map((p) => obj(p, 'panel'));
const graphs = panels.filter((p) => p.type !== 'row');
const exprs = (p: Record<string, unknown>) => arr(p.targets, 'targets').map((t) => String(obj(t, 'target').expr));
const allExprs = graphs.flatMap(exprs);

describe('deploy/grafana', () => {
  const ds = obj(
    arr(obj(loadYaml('grafana/provisioning/datasources/prometheus.yml'), 'ds').datasources, 'list')[0],
    'ds',
  );

  it('provisions a Prometheus datasource the dashboard refers to by uid', () => {
    expect(ds.type).toBe('prometheus');
    expect(ds.url).toBe('http://prometheus:9090');
    for (const p of graphs) {
      expect(obj(p.datasource, 'datasource').uid, String(p.title)).toBe(ds.uid);
      for (const t of arr(p.targets, 'targets')) expect(obj(obj(t, 't').datasource, 'ds').uid).toBe(ds.uid);
    }
  });

  it('provisions the dashboards folder from files', () => {
    const provider = obj(
      arr(obj(loadYaml('grafana/provisioning/dashboards/idnode.yml'), 'p').providers, 'providers')[0],
      'p',
    );
    expect(provider.type).toBe('file');
    expect(obj(provider.options, 'options').path).toMatch(/^\//);
  });

  it('has unique panel ids, queries with ref ids, and panels laid out on the 24-column grid', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dash.uid).toBe('idnode');
    for (const p of graphs) {
      const targets = arr(p.targets, 'targets').map((t) => obj(t, 't'));
      expect(targets.length, String(p.title)).toBeGreaterThan(0);
      expect(new Set(targets.map((t) => t.refId)).size).toBe(targets.length);
      const g = obj(p.gridPos, 'gridPos');
      expect(Number(g.x) + Number(g.w)).toBeLessThanOrEqual(24);
    }
  });

  it('has instance and prefix template variables, used by the queries', () => {
    const vars = arr(obj(dash.templating, 'templating').list, 'list').map((v) => obj(v, 'v'));
    expect(vars.map((v) => v.name)).toEqual(['instance', 'prefix']);
    for (const v of vars) expect(metricNames(String(v.definition)).length).toBe(1);
    for (const e of allExprs.filter((x) => x.includes('idnode_'))) expect(e).toContain('instance=~"$instance"');
    expect(allExprs.some((e) => e.includes('prefix=~"$prefix"'))).toBe(true);
  });

  it('covers latency percentiles by source and prefix, outcomes, cache, upstream, registrations, sync lag, readiness', () => {
    const has = (re: RegExp) =>
      expect(
        allExprs.some((e) => re.test(e)),
        String(re),
      ).toBe(true);
    for (const q of ['0.5', '0.9', '0.99'])
      has(new RegExp(`histogram_quantile\\(${q}, .*idnode_resolve_duration_seconds_bucket`));
    has(/by \(le, source\).*idnode_resolve_duration_seconds_bucket/);
    has(/by \(le, prefix\).*idnode_resolve_duration_seconds_bucket/);
    has(/by \(outcome\).*idnode_resolve_duration_seconds_count/);
    has(/idnode_cache_lookups_total\{[^}]*result="hit"[^}]*\}.*\/.*idnode_cache_lookups_total/);
    has(/idnode_cache_entries/);
    has(/idnode_cache_size_bytes/);
    has(/outcome="error"/);
    has(/idnode_resolve_duration_seconds_bucket\{[^}]*source="upstream"/);
    has(/idnode_peer_requests_total/);
    has(/idnode_registrations_total/);
    has(/idnode_sync_lag_entries/);
    has(/idnode_sync_lag_seconds/);
    has(/idnode_health_ready/);
  });
});
