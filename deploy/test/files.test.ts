import { describe, expect, it } from 'vitest';
import { deployFiles, loadYamlDocuments, readDeployFile } from './helpers.ts';

describe('deploy/ files', () => {
  const files = deployFiles();

  it('holds the container, compose, Prometheus, Grafana and Kubernetes files', () => {
    for (const f of [
      'Dockerfile',
      'README.md',
      'compose/docker-compose.yml',
      'prometheus/prometheus.yml',
      'prometheus/rules.yml',
      'grafana/provisioning/datasources/prometheus.yml',
      'grafana/provisioning/dashboards/idnode.yml',
      'grafana/dashboards/idnode.json',
      'k8s/kustomization.yaml',
    ]) {
      expect(files).toContain(f);
    }
  });

  it.each(files.filter((f) => /\.ya?ml$/.test(f)))('%s parses as YAML', (f) => {
    const docs = loadYamlDocuments(f);
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) expect(typeof d).toBe('object');
  });

  it.each(files.filter((f) => f.endsWith('.json')))('%s parses as JSON', (f) => {
    expect(() => JSON.parse(readDeployFile(f)) as unknown).not.toThrow();
  });
});
