import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench, type BenchOptions } from './lib/bench-run.ts';
import { PRESETS } from './lib/presets.ts';
import { runNativeBench, type NativeOptions } from './lib/native/native-run.ts';
import { renderNative } from './lib/native/native-report.ts';
import { NATIVE_SCENARIOS } from './lib/native/scenarios.ts';
import { renderMarkdown } from './lib/report-markdown.ts';

/**
 * npm run bench          wrk / h2load against the node and its bare mirror (~4 min), results/latest.{json,md}
 * npm run bench:quick    the same scenarios, 2 rounds of 2 s (~1.5 min)
 * --scenarios a,b --rounds n --duration s --connections c --keys n --out dir   override a preset
 * --autocannon           the older autocannon harness (zipf, admission, knee, mixed writes);
 *                        with --smoke: 1 round, 1 s, 2 scenarios (the vitest smoke test)
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
      autocannon: { type: 'boolean' },
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

function nativeOptions(argv: readonly string[]): NativeOptions {
  const o = options(argv);
  const { values } = parseArgs({ args: [...argv], strict: false, options: { quick: { type: 'boolean' } } });
  const quick = values.quick === true;
  const num = (name: string, d: number): number =>
    argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : d;
  return {
    mode: quick ? 'quick' : 'full',
    scenarios: argv.includes('--scenarios') ? o.scenarios : NATIVE_SCENARIOS.map((s) => s.name),
    rounds: num('rounds', quick ? 2 : 5),
    durationS: num('duration', quick ? 2 : 5),
    connections: num('connections', 64),
    keyCount: num('keys', 1_000),
    unloadedS: quick ? 1 : 3,
    pacedS: quick ? 2 : 5,
    pacedClients: 16,
    seed: 42,
    outDir: o.outDir,
    log: o.log,
  };
}

const argv = process.argv.slice(2);
if (argv.includes('--autocannon')) {
  process.stdout.write(renderMarkdown(await runBench(options(argv))));
} else {
  try {
    process.stdout.write(renderNative(await runNativeBench(nativeOptions(argv))));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
}
