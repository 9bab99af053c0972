import { ConfigError, parseConfig } from '../../src/config/load.ts';

/** Every problem line the loader reports for this environment and these flags (none: []). */
export function problemsOf(env: Record<string, string>, argv: readonly string[] = []): readonly string[] {
  try {
    parseConfig(env, argv);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
}
