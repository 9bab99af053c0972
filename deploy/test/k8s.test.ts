import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEPLOY_DIR, arr, commandWorks, knownEnvVars, loadYaml, loadYamlDocuments, obj, run } from './helpers.ts';

type Obj = Record<string, unknown>;

const kustomization = obj(loadYaml('k8s/kustomization.yaml'), 'kustomization.yaml');
const files = arr(kustomization.resources, 'resources').map(String);
const objects: Obj[] = files.flatMap((f) => loadYamlDocuments(`k8s/${f}`).map((d) => obj(d, f)));
const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
const name = (o: Obj) => String(obj(o.metadata, 'metadata').name);
const workloads = [...ofKind('Deployment'), ...ofKind('StatefulSet')];
const podSpec = (w: Obj) => obj(obj(obj(w.spec, 'spec').template, 'template').spec, 'pod spec');
const podLabels = (w: Obj) => obj(obj(obj(obj(w.spec, 'spec').template, 'template').metadata, 'meta').labels, 'labels');
const containers = (w: Obj) => arr(podSpec(w).containers, `${name(w)}.containers`).map((c) => obj(c, 'container'));
const idnodeWorkloads = workloads.filter((w) => containers(w).some((c) => c.image === 'idnode'));
const envOf = (c: Obj) => new Map(arr(c.env ?? [], 'env').map((e) => [String(obj(e, 'env').name), obj(e, 'env')]));
const matches = (selector: Obj, labels: Obj) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deploy/k8s', () => {
  it('lists resources that exist, each object with apiVersion, kind and name', () => {
    for (const f of files) expect(existsSync(join(DEPLOY_DIR, 'k8s', f)), f).toBe(true);
    for (const o of objects) {
      expect(o.apiVersion).toBeTruthy();
      expect(o.kind).toBeTruthy();
      expect(name(o)).toMatch(/^[a-z0-9-]+$/);
    }
    expect(ofKind('Namespace').map(name)).toEqual([kustomization.namespace]);
  });

  it('runs the top-level node as a StatefulSet with a volume claim, the stateless roles as Deployments', () => {
    const roleOf = (w: Obj) => envOf(containers(w)[0] ?? {}).get('IDNODE_ROLE')?.value;
    const sts = ofKind('StatefulSet').filter((w) => idnodeWorkloads.includes(w));
    expect(sts.map(roleOf)).toEqual(['top-level']);
    const top = sts[0] ?? {};
    const claims = arr(obj(top.spec, 'spec').volumeClaimTemplates, 'volumeClaimTemplates').map((c) =>
      name(obj(c, 'c')),
    );
    const mounts = arr(containers(top)[0]?.volumeMounts, 'mounts').map((m) => obj(m, 'm'));
    expect(mounts.find((m) => m.mountPath === '/data')?.name).toBe(claims[0]);
    expect(ofKind('Deployment').map(roleOf).sort()).toEqual(['caching', 'secondary']);
    const secondary = ofKind('Deployment').find((w) => roleOf(w) === 'secondary') ?? {};
    expect(envOf(containers(secondary)[0] ?? {}).has('IDNODE_REDIS_URL')).toBe(true);
  });

  it('gives every container probes and resource requests and limits', () => {
    for (const w of workloads) {
      for (const c of containers(w)) {
        const where = `${name(w)}/${String(c.name)}`;
        expect(c.livenessProbe, where).toBeDefined();
        expect(c.readinessProbe, where).toBeDefined();
        const res = obj(c.resources, where);
        for (const k of ['requests', 'limits']) {
          expect(obj(res[k], `${where}.${k}`).cpu, where).toBeDefined();
          expect(obj(res[k], `${where}.${k}`).memory, where).toBeDefined();
        }
        const sc = obj(c.securityContext, where);
        expect(sc.allowPrivilegeEscalation, where).toBe(false);
        expect(sc.readOnlyRootFilesystem, where).toBe(true);
        expect(obj(podSpec(w).securityContext, where).runAsNonRoot, where).toBe(true);
      }
    }
  });

  it('probes idnode on /livez and /readyz, with a startup probe, on declared ports', () => {
    for (const w of idnodeWorkloads) {
      const c = containers(w)[0] ?? {};
      const ports = arr(c.ports, 'ports').map((p) => obj(p, 'port').name);
      const path = (p: string) => obj(obj(c[p], p).httpGet, `${p}.httpGet`);
      expect(path('livenessProbe').path).toBe('/livez');
      expect(path('readinessProbe').path).toBe('/readyz');
      expect(path('startupProbe').path).toBe('/livez');
      for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) expect(ports).toContain(path(p).port);
      expect(ports).toEqual(['http', 'grpc']);
    }
  });

  it('shuts down gracefully: preStop sleep, drain delay and in-flight requests fit in the grace period', () => {
    const config = obj(ofKind('ConfigMap')[0]?.data, 'configmap');
    const drainS = Number(config.IDNODE_DRAIN_DELAY_MS) / 1000;
    for (const w of idnodeWorkloads) {
      const c = containers(w)[0] ?? {};
      const cmd = arr(obj(obj(obj(c.lifecycle, 'lifecycle').preStop, 'preStop').exec, 'exec').command, 'command');
      expect(cmd[0]).toBe('sleep');
      const sleepS = Number(cmd[1]);
      expect(sleepS).toBeGreaterThan(0);
      // close-with-grace allows the drain delay plus 10 s for in-flight requests.
      expect(Number(podSpec(w).terminationGracePeriodSeconds)).toBeGreaterThanOrEqual(sleepS + drainS + 10);
    }
  });

  it('sets only known environment variables, from the ConfigMap and Secret that exist', () => {
    const known = knownEnvVars();
    const configMaps = new Map(ofKind('ConfigMap').map((o) => [name(o), obj(o.data, 'data')]));
    const secrets = new Map(ofKind('Secret').map((o) => [name(o), obj(o.stringData, 'stringData')]));
    for (const [, data] of configMaps) for (const k of Object.keys(data)) expect(known, k).toContain(k);
    for (const w of idnodeWorkloads) {
      const c = containers(w)[0] ?? {};
      for (const from of arr(c.envFrom ?? [], 'envFrom').map((e) => obj(e, 'envFrom'))) {
        expect(configMaps.has(String(obj(from.configMapRef, 'configMapRef').name))).toBe(true);
      }
      for (const [k, e] of envOf(c)) {
        expect(known, `${name(w)}: ${k}`).toContain(k);
        if (e.valueFrom !== undefined) {
          const ref = obj(obj(e.valueFrom, 'valueFrom').secretKeyRef, 'secretKeyRef');
          expect(secrets.get(String(ref.name)), `${name(w)}: ${k}`).toHaveProperty(String(ref.key));
        }
      }
    }
  });

  it('has selectors that match: workloads, Services and PodDisruptionBudgets', () => {
    for (const w of workloads) {
      expect(matches(obj(obj(obj(w.spec, 'spec').selector, 'sel').matchLabels, 'ml'), podLabels(w)), name(w)).toBe(
        true,
      );
    }
    for (const s of ofKind('Service')) {
      const sel = obj(obj(s.spec, 'spec').selector, `${name(s)}.selector`);
      expect(
        workloads.some((w) => matches(sel, podLabels(w))),
        name(s),
      ).toBe(true);
    }
    for (const sts of ofKind('StatefulSet')) {
      expect(ofKind('Service').map(name)).toContain(obj(sts.spec, 'spec').serviceName);
    }
    const pdbs = ofKind('PodDisruptionBudget');
    expect(pdbs.length).toBeGreaterThan(0);
    for (const p of pdbs) {
      const sel = obj(obj(obj(p.spec, 'spec').selector, 'sel').matchLabels, 'ml');
      expect(
        ofKind('Deployment').some((w) => matches(sel, podLabels(w))),
        name(p),
      ).toBe(true);
    }
  });

  it('autoscales existing Deployments on CPU (autoscaling/v2)', () => {
    const hpas = ofKind('HorizontalPodAutoscaler');
    expect(hpas.map(name).sort()).toEqual(['idnode-caching', 'idnode-secondary']);
    for (const h of hpas) {
      expect(h.apiVersion).toBe('autoscaling/v2');
      const spec = obj(h.spec, 'spec');
      const target = obj(spec.scaleTargetRef, 'scaleTargetRef');
      expect(target.kind).toBe('Deployment');
      expect(ofKind('Deployment').map(name)).toContain(target.name);
      expect(Number(spec.minReplicas)).toBeGreaterThanOrEqual(2);
      expect(Number(spec.maxReplicas)).toBeGreaterThan(Number(spec.minReplicas));
      const cpu = arr(spec.metrics, 'metrics').map((m) => obj(obj(m, 'm').resource, 'resource'));
      expect(cpu.map((r) => r.name)).toEqual(['cpu']);
    }
  });

  it('maps the idnode image through kustomize images', () => {
    expect(arr(kustomization.images, 'images').map((i) => obj(i, 'image').name)).toContain('idnode');
  });

  const kubectl = commandWorks('kubectl', ['version', '--client']);
  it.skipIf(!kubectl)('builds with `kubectl kustomize` (offline; where kubectl is installed)', () => {
    const docs = parseAllDocuments(run('kubectl', ['kustomize', join(DEPLOY_DIR, 'k8s')])).map((d) =>
      obj(d.toJS(), 'doc'),
    );
    expect(docs.length).toBe(objects.length);
    for (const d of docs.filter((x) => x.kind !== 'Namespace')) {
      expect(obj(d.metadata, 'metadata').namespace).toBe(kustomization.namespace);
    }
  });
});
