import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench, type BenchOptions } from './lib/bench-run.ts';
import { PRESETS } from './lib/presets.ts';
import { renderMarkdown } from './lib/report-markdown.ts';

/**
 * npm run bench          the standard set (~3-4 min), results/latest.{json,md}
 * npm run bench:quick    baseline vs resolve-store-hit, 3 alternated rounds of 5 s, c=50
 * --smoke                1 round, 1 s, 2 scenarios (the vitest smoke test)
 * --scenarios a,b --rounds n --duration s --connections c --keys n --out dir   override a preset
 */

function options(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      smoke: { type: 'boolean' },
      scenarios: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      keys: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const preset = PRESETS[values.smoke ? 'smoke' : values.quick ? 'quick' : 'full'];
  const num = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));
  return {
    ...preset,
    scenarios: values.scenarios?.split(',') ?? preset.scenarios,
    rounds: num(values.rounds, preset.rounds),
    durationS: num(values.duration, preset.durationS),
    connections: num(values.connections, preset.connections),
    keyCount: num(values.keys, preset.keyCount),
    outDir: values.out ?? join(import.meta.dirname, 'results'),
    log: (line) => process.stderr.write(line + '\n'),
  };
}

const report = await runBench(options(process.argv.slice(2)));
process.stdout.write(renderMarkdown(report));
