import type { Static, TObject, TProperties } from 'typebox';
import { Value } from 'typebox/value';
import { formatProblem, Problems } from './problems.ts';
import { checkVar, defaultOf } from './vars.ts';

/**
 * One section of the node's configuration, kept beside the code it configures:
 * `raw` (the TypeBox schema of its IDNODE_* variables, each a string) -> `normalise` (typed,
 * parsed values; reports what a schema cannot say, e.g. one bad item of a list). Rules across
 * sections (`validate(whole)`) and file or name checks are plain functions beside the section.
 */
export interface ConfigSection<P extends TProperties, N> {
  readonly name: string;
  readonly raw: TObject<P>;
  normalise(raw: Static<TObject<P>>, problems: Problems): N;
}

/** Variables by name (environment with flags applied); an empty value counts as unset. */
export type Vars = Readonly<Record<string, string | undefined>>;

/**
 * Checks each variable of the section on its own; a bad value is reported and replaced by its
 * default (or left unset), so the rest of the section still normalises and reports its own problems.
 */
export function checkSection<P extends TProperties>(
  section: ConfigSection<P, unknown>,
  vars: Vars,
  problems: Problems,
): Static<TObject<P>> {
  const input: Record<string, string> = {};
  for (const [name, schema] of Object.entries(section.raw.properties)) {
    const given = vars[name];
    if (given !== undefined && given !== '') {
      const problem = checkVar(schema, given);
      if (problem === undefined) {
        input[name] = given;
        continue;
      }
      problems.add(name, problem);
    }
    const fallback = defaultOf(schema);
    if (fallback !== undefined) input[name] = fallback;
  }
  if (Value.Check(section.raw, input)) return input;
  // Only a section declared wrong gets here: a required variable without a (valid) default.
  throw new Error(`config section ${section.name}: a required variable has no valid default`);
}

/** One section alone, as its table tests read it: the normalised value and every problem line. */
export function readSection<P extends TProperties, N>(
  section: ConfigSection<P, N>,
  vars: Vars,
): { readonly value: N; readonly problems: readonly string[] } {
  const problems = new Problems();
  const raw = checkSection(section, vars, problems);
  problems.endPhase();
  const value = section.normalise(raw, problems);
  return { value, problems: problems.list.map(formatProblem) };
}
