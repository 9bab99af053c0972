import type { ParsedIdentifier } from '../identifier/index.ts';
import type { Outcome } from '../records/outcome.ts';
import type { TraceSink } from './trace.ts';

// The answer model is core (records/outcome.ts) so the cache and metrics can name it; the chain's contract is here.
export type { DependsOn, DerivedVia, Outcome, Source } from '../records/outcome.ts';

export interface ResolveRequest {
  readonly id: ParsedIdentifier;
  /** Handle's auth=true: an authoritative answer, bypassing caches. */
  readonly authoritative: boolean;
  /** Loop guard for requests forwarded between nodes: node ids the request already passed. */
  readonly via?: readonly string[];
  /** Set only when the caller asked for a trace (trace.ts): composeStages and peer hops fill it. */
  readonly trace?: TraceSink;
}

export type Next = (req: ResolveRequest) => Promise<Outcome>;

/** One link of the chain: do one job, answer, or pass to `next`. */
export interface Stage {
  readonly name: string;
  run(req: ResolveRequest, next: Next): Promise<Outcome>;
}
