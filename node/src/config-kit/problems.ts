/**
 * Every configuration problem found, in order, each about one variable. Loading runs in phases
 * (each value alone, then each section, then the whole, then files and names): a problem that
 * depends on a variable already reported bad in an earlier phase is dropped, since it would only
 * follow from that one (a bad IDNODE_ROLE must not also report "IDNODE_UPSTREAM is not used").
 */
export interface Problem {
  /** The variable (or flag) the problem is about: the first word of its line. */
  readonly variable: string;
  /** What follows the name: "must be one of: lru, tinylfu (got \"lfu\")". */
  readonly text: string;
}

export class Problems {
  readonly #list: Problem[] = [];
  readonly #settled = new Set<string>();
  #current = new Set<string>();

  add(variable: string, text: string, dependsOn: readonly string[] = []): void {
    if (this.#settled.has(variable) || dependsOn.some((v) => this.#settled.has(v) || this.#current.has(v))) return;
    this.#current.add(variable);
    this.#list.push({ variable, text });
  }

  /** Ends a phase: later problems about these variables would only echo the ones already found. */
  endPhase(): void {
    for (const v of this.#current) this.#settled.add(v);
    this.#current = new Set();
  }

  /** Whether a variable has been reported bad (its value was replaced by the default). */
  isBad(variable: string): boolean {
    return this.#settled.has(variable) || this.#current.has(variable);
  }

  get list(): readonly Problem[] {
    return this.#list;
  }
}

export const formatProblem = (p: Problem): string => `${p.variable} ${p.text}`;
