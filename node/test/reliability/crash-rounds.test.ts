import { describe, expect, it } from 'vitest';
import { nodeCrashRounds, redisCrashRounds } from './crash-rounds.ts';

/**
 * Crash rounds, cheap: two rounds each in the default suite. The long run is
 * `npm run test:crash -- --rounds 20` (CRASH_ROUNDS for this file).
 */
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? '2');
const LONG = 120_000 + ROUNDS * 30_000;

describe(`crash rounds (${ROUNDS})`, () => {
  it(
    'SIGKILL of the node under mixed writes: nothing acknowledged lost or doubled, the top-level copy equal',
    async () => {
      const f = await nodeCrashRounds(ROUNDS);
      console.log(`crash-rounds node: ${JSON.stringify({ ...f, problems: f.problems.length })}`);
      expect(f.problems.slice(0, 10)).toEqual([]);
      expect(f.synced?.differ).toBe(0);
      expect(f.synced?.records).toBeGreaterThan(0);
    },
    LONG,
  );

  it(
    'SIGKILL of redis-server (AOF always) under mixed writes: nothing acknowledged lost or doubled',
    async () => {
      const f = await redisCrashRounds(ROUNDS);
      console.log(`crash-rounds redis: ${JSON.stringify({ ...f, problems: f.problems.length })}`);
      expect(f.problems.slice(0, 10)).toEqual([]);
      expect(f.acknowledged).toBeGreaterThan(0);
    },
    LONG,
  );
});
