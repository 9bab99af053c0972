import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench } from '../lib/bench-run.ts';
import { PRESETS } from '../lib/presets.ts';
import type { BenchReport } from '../lib/results.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('bench harness (smoke: 1 round, 1 s, 2 scenarios)', () => {
  it('writes latest.json and latest.md with ratios to the baseline', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'idnode-bench-smoke-'));
    dirs.push(outDir);
    await runBench({ ...PRESETS.smoke, outDir, log: () => {} });
    const report = JSON.parse(await readFile(join(outDir, 'latest.json'), 'utf8')) as BenchReport;
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.machine.loadAvg).toHaveLength(3);
    expect(Date.parse(report.startedAt)).not.toBeNaN();
    expect(report.scenarios.map((s) => s.name)).toEqual(['baseline-bare-route', 'resolve-store-hit']);
    for (const s of report.scenarios) {
      expect(s.rps).toBeGreaterThan(0);
      expect(s.errors).toBe(0);
      expect(s.p50_ms).toBeGreaterThan(0);
      expect(s.p50_ms).toBeLessThanOrEqual(s.p90_ms);
      expect(s.p90_ms).toBeLessThanOrEqual(s.p99_ms);
      expect(s.p99_ms).toBeLessThanOrEqual(s.p999_ms);
    }
    const [base, hit] = report.scenarios;
    expect(base!.ratio_to_baseline).toBe(1);
    expect(hit!.ratio_to_baseline).toBeCloseTo(hit!.rounds[0]!.rps / hit!.rounds[0]!.baseline_rps, 2);
    expect(hit!.rounds).toHaveLength(1);
    const md = await readFile(join(outDir, 'latest.md'), 'utf8');
    expect(md).toContain('| resolve-store-hit |');
  });
});
