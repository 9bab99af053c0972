import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `npm run test:crash -- --rounds 20`: the crash rounds of node/test/reliability/crash-rounds.test.ts
 * with more rounds than the default suite's two (each round is a SIGKILL and a full check).
 */
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 1000) {
  console.error(`--rounds must be a whole number from 1 to 1000, got "${values.rounds}"`);
  process.exit(2);
}
const root = join(import.meta.dirname, '..', '..', '..');
const vitest = join(root, 'node_modules', '.bin', 'vitest');
const run = spawnSync(vitest, ['run', 'node/test/reliability/crash-rounds.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CRASH_ROUNDS: String(rounds) },
});
process.exit(run.status ?? 1);
