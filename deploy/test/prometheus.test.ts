import { describe, expect, it } from 'vitest';
import { DEPLOY_DIR, arr, commandWorks, loadYaml, obj, run } from './helpers.ts';
import { join } from 'node:path';

/**
 * A structural check of the alert rules that always runs, plus promtool (check config, check
 * rules, and the rule unit tests in rules.test.yml) where it is installed (Debian: `prometheus`).
 */

const rulesFile = obj(loadYaml('prometheus/rules.yml'), 'rules.yml');
const rules = arr(rulesFile.groups, 'groups').flatMap((g) =>
  arr(obj(g, 'group').rules, 'rules').map((r) => obj(r, 'rule')),
);
const byName = (name: string) => {
  const r = rules.find((x) => x.alert === name);
  if (r === undefined) throw new Error(`no alert ${name}`);
  return r;
};
const expr = (name: string) => String(byName(name).expr).replace(/\s+/g, ' ');

describe('deploy/prometheus/rules.yml', () => {
  it('gives every alert a unique name, a duration, a severity and annotations', () => {
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) {
      const where = String(r.alert);
      expect(r.alert, where).toMatch(/^Idnode[A-Za-z0-9]+$/);
      expect(r.for, where).toMatch(/^\d+[smh]$/);
      expect(obj(r.labels, where).severity, where).toMatch(/^(critical|warning|info)$/);
      const a = obj(r.annotations, where);
      expect(String(a.summary).length, where).toBeGreaterThan(10);
      expect(String(a.description).length, where).toBeGreaterThan(30);
      const e = String(r.expr);
      expect(e.split('(').length, `${where}: balanced parentheses`).toBe(e.split(')').length);
      expect(e.split('{').length, `${where}: balanced braces`).toBe(e.split('}').length);
    }
  });

  it('alerts on each objective', () => {
    expect(expr('IdnodeResolveLatencyP99High')).toMatch(
      /histogram_quantile\(0\.99, sum by \([^)]*le[^)]*\) \(rate\(idnode_resolve_duration_seconds_bucket\[5m\]\)\)\) > 0\.05/,
    );
    expect(expr('IdnodeResolveErrorRatioHigh')).toMatch(
      /outcome="error".*\/.*idnode_resolve_duration_seconds_count.*> 0\.01/,
    );
    expect(expr('IdnodeSyncLagHigh')).toBe('idnode_sync_lag_seconds > 60');
    expect(expr('IdnodeNotReady')).toMatch(/idnode_health_ready\) == 0$/);
    expect(expr('IdnodeTargetDown')).toBe('up{job="idnode"} == 0');
    expect(expr('IdnodeCacheHitRatioCollapse')).toMatch(/idnode_cache_lookups_total\{result="hit"\}.*\/.*< 0\.5/);
    for (const a of ['IdnodeNotReady', 'IdnodeTargetDown', 'IdnodeResolveErrorRatioHigh']) {
      expect(obj(byName(a).labels, a).severity).toBe('critical');
    }
  });

  it('is loaded by prometheus.yml, which scrapes /metrics of the idnode job', () => {
    const cfg = obj(loadYaml('prometheus/prometheus.yml'), 'prometheus.yml');
    expect(arr(cfg.rule_files, 'rule_files')).toContain('rules.yml');
    const job = arr(cfg.scrape_configs, 'scrape_configs')
      .map((j) => obj(j, 'job'))
      .find((j) => j.job_name === 'idnode');
    expect(job).toBeDefined();
  });

  const promtool = commandWorks('promtool', ['--version']);
  it.skipIf(!promtool)('passes promtool check config, check rules and test rules (where promtool is installed)', () => {
    const dir = join(DEPLOY_DIR, 'prometheus');
    expect(run('promtool', ['check', 'config', 'prometheus.yml'], dir)).toMatch(/SUCCESS/);
    expect(run('promtool', ['check', 'rules', 'rules.yml'], dir)).toMatch(
      new RegExp(`SUCCESS: ${rules.length} rules found`),
    );
    expect(run('promtool', ['test', 'rules', 'rules.test.yml'], dir)).toMatch(/SUCCESS/);
  });
});
