import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/** /metrics as an operator scrapes it, and a lint of every metric name and label set. */

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode(['88.100.5']);
});
afterAll(() => node.close());

const scrape = async (): Promise<string> => (await fetch(`${node.url}/metrics`)).text();

function families(text: string): { name: string; type: string; labels: Set<string> }[] {
  const out = new Map<string, { name: string; type: string; labels: Set<string> }>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (t) out.set(t[1]!, { name: t[1]!, type: t[2]!, labels: new Set() });
    const s = /^([a-zA-Z_:][\w:]*)\{([^}]*)\}/.exec(line);
    if (!s) continue;
    const fam = [...out.values()].find((f) => s[1] === f.name || s[1]!.startsWith(`${f.name}_`));
    for (const m of s[2]!.matchAll(/(\w+)="/g)) fam?.labels.add(m[1]!);
  }
  return [...out.values()];
}

describe('/metrics', () => {
  it('shows resolution latency by source, outcome and prefix after some scans', async () => {
    await putRecord(node.url, '88.100.5/M-1', [urlValue(1, 'https://p.example/m')], node.adminAuth('88.100.5'));
    for (let i = 0; i < 3; i++) await fetch(`${node.url}/api/handles/88.100.5/M-1`);
    await fetch(`${node.url}/api/handles/88.100.5/NOPE`);
    const text = await scrape();
    expect(text).toMatch(
      /idnode_resolve_duration_seconds_bucket\{[^}]*source="store"[^}]*outcome="found"[^}]*prefix="88.100.5"/,
    );
    expect(text).toMatch(/idnode_resolve_duration_seconds_bucket\{[^}]*source="cache"[^}]*outcome="found"/);
    expect(text).toMatch(/idnode_resolve_duration_seconds_count\{[^}]*outcome="not-found"/);
    expect(text).toMatch(/idnode_cache_lookups_total\{result="hit"\} [1-9]/);
    expect(text).toMatch(/idnode_process_cpu_seconds_total/);
    // Readiness is checked at scrape time, not only when something probes /readyz.
    expect(text).toMatch(/idnode_health_ready\{check="store"\} 1/);
  });

  it('keeps the prefix label bounded however many prefixes are scanned', async () => {
    await Promise.all(Array.from({ length: 300 }, (_, i) => fetch(`${node.url}/api/handles/77.${i}.1/X`)));
    const values = new Set(
      [...(await scrape()).matchAll(/idnode_resolve_duration_seconds_count\{[^}]*prefix="([^"]+)"/g)].map((m) => m[1]),
    );
    expect(values.size).toBeLessThanOrEqual(51);
    expect(values.has('other')).toBe(true);
  });

  it('names every metric idnode_<subsystem>_<what>_<unit> with bounded labels', async () => {
    const fams = families(await scrape());
    expect(fams.length).toBeGreaterThan(10);
    const forbidden = ['identifier', 'handle', 'suffix', 'key', 'id', 'url', 'path'];
    for (const f of fams) {
      expect(f.name, f.name).toMatch(/^idnode_[a-z0-9]+(_[a-z0-9]+)+$/);
      if (f.type === 'counter') expect(f.name, f.name).toMatch(/_total$/);
      if (f.type === 'histogram' && !f.name.startsWith('idnode_nodejs_'))
        expect(f.name, f.name).toMatch(/_(seconds|bytes)$/);
      for (const l of f.labels) expect(forbidden, `${f.name}{${l}}`).not.toContain(l);
    }
  });
});
