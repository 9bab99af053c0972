import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEPLOY_DIR, REPO_DIR, ROLES, arr, commandWorks, knownEnvVars, loadYaml, obj, run } from './helpers.ts';

/**
 * A structural check standing in for `docker compose config`, which needs the compose plugin
 * (not installed here). When `docker compose version` works, the file also goes through it.
 */

const COMPOSE = 'compose/docker-compose.yml';
const COMPOSE_DIR = join(DEPLOY_DIR, 'compose');
const compose = obj(loadYaml(COMPOSE), COMPOSE);
const services = obj(compose.services, 'services');
const service = (name: string) => obj(services[name], `services.${name}`);
const env = (name: string) => obj(service(name).environment, `services.${name}.environment`);
const IDNODE = ['top-level', 'secondary-100', 'secondary-200', 'caching'];

describe('deploy/compose/docker-compose.yml', () => {
  it('has the topology: Redis, a top-level node, two secondaries, a caching node, Prometheus, Grafana', () => {
    expect(Object.keys(services).sort()).toEqual([...IDNODE, 'grafana', 'prometheus', 'redis'].sort());
    const roles = IDNODE.map((s) => env(s).IDNODE_ROLE);
    expect(roles).toEqual(['top-level', 'secondary', 'secondary', 'caching']);
    for (const r of roles) expect(ROLES).toContain(r);
  });

  it('runs Redis 7 with AOF on a named volume', () => {
    const redis = service('redis');
    expect(redis.image).toMatch(/^redis:7([.-]|$)/);
    expect(arr(redis.command, 'redis.command').join(' ')).toMatch(/--appendonly yes.*--appendfsync everysec/);
    expect(arr(redis.volumes, 'redis.volumes')).toContain('redis-data:/data');
  });

  it('builds every idnode node from deploy/Dockerfile with the repository as context', () => {
    for (const s of IDNODE) {
      const build = obj(service(s).build, `${s}.build`);
      const context = resolve(COMPOSE_DIR, String(build.context));
      expect(context).toBe(REPO_DIR);
      expect(existsSync(join(context, String(build.dockerfile)))).toBe(true);
      expect(service(s).image).toMatch(/^idnode:/);
    }
  });

  it('configures prefixes, upstreams and the shared store as the roles need', () => {
    expect(env('top-level').IDNODE_PREFIXES).toBe('88');
    expect(env('top-level').IDNODE_UPSTREAM).toBeUndefined();
    expect(env('secondary-100').IDNODE_PREFIXES).toBe('88.100');
    expect(env('secondary-200').IDNODE_PREFIXES).toBe('88.200');
    expect(env('secondary-100').IDNODE_REDIS_URL).toBe('redis://redis:6379');
    for (const s of ['secondary-100', 'secondary-200', 'caching']) {
      const [host, port] = String(env(s).IDNODE_UPSTREAM).split(':');
      expect(IDNODE).toContain(host);
      expect(port).toBe(String(env(host ?? '').IDNODE_GRPC_PORT));
    }
  });

  it('uses only environment variables the node knows, listening on all interfaces', () => {
    const known = knownEnvVars();
    for (const s of IDNODE) {
      const e = env(s);
      for (const k of Object.keys(e)) expect(known, `${s}: ${k}`).toContain(k);
      expect(e.IDNODE_HOST).toBe('0.0.0.0');
      expect(e.IDNODE_HTTP_PORT).toBe('8080');
      expect(e.IDNODE_GRPC_PORT).toBe('50051');
      expect(e.IDNODE_DATA_DIR).toBe('/data');
      expect(arr(service(s).volumes, `${s}.volumes`).some((v) => String(v).endsWith(':/data'))).toBe(true);
    }
  });

  it('publishes distinct host ports, each idnode node on container port 8080', () => {
    const hostPorts: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      for (const p of arr(obj(s, name).ports ?? [], `${name}.ports`)) {
        const [host, container] = String(p).split(':');
        hostPorts.push(host ?? '');
        if (IDNODE.includes(name)) expect(container).toBe('8080');
      }
    }
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('gives every service a health check, restart policy and resource limits; idnode nodes check /readyz', () => {
    for (const [name, raw] of Object.entries(services)) {
      const s = obj(raw, name);
      const test = arr(obj(s.healthcheck, `${name}.healthcheck`).test, `${name}.healthcheck.test`);
      expect(test[0]).toBe('CMD');
      if (IDNODE.includes(name)) {
        expect(test.join(' ')).toContain('/readyz');
        expect(test.join(' ')).not.toMatch(/curl|wget/); // slim image: node's fetch
      }
      expect(s.restart).toMatch(/^(always|unless-stopped|on-failure)/);
      const limits = obj(obj(obj(s.deploy, `${name}.deploy`).resources, 'resources').limits, 'limits');
      expect(limits.memory).toMatch(/^\d+[MG]$/);
      expect(Number(limits.cpus)).toBeGreaterThan(0);
    }
  });

  it('waits for healthy dependencies that exist', () => {
    for (const [name, raw] of Object.entries(services)) {
      const deps = obj(raw, name).depends_on;
      if (deps === undefined) continue;
      for (const [dep, cond] of Object.entries(obj(deps, `${name}.depends_on`))) {
        expect(services).toHaveProperty(dep);
        expect(obj(cond, `${name}.depends_on.${dep}`).condition).toBe('service_healthy');
        expect(service(dep).healthcheck).toBeDefined();
      }
    }
    expect(Object.keys(obj(service('secondary-100').depends_on, 'deps'))).toEqual(
      expect.arrayContaining(['redis', 'top-level']),
    );
    expect(Object.keys(obj(service('caching').depends_on, 'deps'))).toContain('top-level');
  });

  it('declares named volumes and mounts files that exist', () => {
    const declared = Object.keys(obj(compose.volumes, 'volumes'));
    for (const [name, raw] of Object.entries(services)) {
      for (const v of arr(obj(raw, name).volumes ?? [], `${name}.volumes`)) {
        const src = String(v).split(':')[0] ?? '';
        if (src.startsWith('.')) expect(existsSync(resolve(COMPOSE_DIR, src)), `${name}: ${src}`).toBe(true);
        else expect(declared, `${name}: ${src}`).toContain(src);
      }
    }
  });

  it('has Prometheus load the rules and scrape every idnode node, Grafana load its provisioning', () => {
    const prom = arr(service('prometheus').volumes, 'prometheus.volumes').map(String);
    expect(prom).toContain('../prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(prom).toContain('../prometheus/rules.yml:/etc/prometheus/rules.yml:ro');
    const cfg = obj(loadYaml('prometheus/prometheus.yml'), 'prometheus.yml');
    const job = arr(cfg.scrape_configs, 'scrape_configs')
      .map((j) => obj(j, 'job'))
      .find((j) => j.job_name === 'idnode');
    expect(job?.metrics_path).toBe('/metrics');
    const targets = arr(job?.static_configs, 'static_configs').flatMap((c) => arr(obj(c, 'sc').targets, 'targets'));
    expect(targets.map(String).sort()).toEqual(IDNODE.map((s) => `${s}:8080`).sort());

    const grafana = arr(service('grafana').volumes, 'grafana.volumes').map(String);
    expect(grafana).toContain('../grafana/provisioning:/etc/grafana/provisioning:ro');
    const dashboards = obj(loadYaml('grafana/provisioning/dashboards/idnode.yml'), 'dashboards provider');
    const path = obj(obj(arr(dashboards.providers, 'providers')[0], 'provider').options, 'options').path;
    expect(grafana).toContain(`../grafana/dashboards:${String(path)}:ro`);
  });

  const composeCli = commandWorks('docker', ['compose', 'version']);
  it.skipIf(!composeCli)('passes `docker compose config` (only where the compose plugin is installed)', () => {
    const out = run('docker', ['compose', '-f', join(COMPOSE_DIR, 'docker-compose.yml'), 'config'], COMPOSE_DIR);
    const resolved = obj(parse(out), 'docker compose config');
    expect(Object.keys(obj(resolved.services, 'services')).sort()).toEqual(Object.keys(services).sort());
  });
});
