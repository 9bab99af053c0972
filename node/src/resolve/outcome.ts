import type { IdnError } from '../errors/idn-error.ts';
import type { ParsedIdentifier } from '../identifier/index.ts';
import type { StoredRecord } from '../records/types.ts';
import type { RenderMemo } from './render-memo.ts';
import type { TraceSink } from './trace.ts';

/** Where an answer came from; a bounded metric label later (never the identifier). */
export type Source = 'store' | 'cache' | 'upstream' | 'stale';

/** How a derived answer was found (header `x-idnode-resolved-via`). */
export type DerivedVia = 'template' | 'batch' | 'model' | 'enterprise';

/** The typed result of a resolution stage; every stage returns one of these. */
export type Outcome =
  | {
      readonly kind: 'found';
      readonly record: StoredRecord;
      readonly source: Source;
      readonly memo: RenderMemo;
      /** False for answers from a synced copy (top-level emergency takeover); absent means true. */
      readonly authoritative?: boolean;
      /** Set when no exact record answered: a template, or the walk-up to a batch, model or enterprise record. */
      readonly resolvedVia?: DerivedVia;
      /** The handle of the record that answered a derived answer (the template, batch, model or enterprise record). */
      readonly answeredBy?: string;
      /** Seconds the node that answered upstream lets this answer be cached (its ttl hint); the cache keeps it no longer. */
      readonly cacheTtl?: number;
    }
  | {
      readonly kind: 'not-found';
      readonly gone?: StoredRecord;
      readonly source: Source;
      readonly authoritative?: boolean;
      /** Seconds the node that answered upstream lets this negative answer be believed (its negative_ttl hint). */
      readonly cacheTtl?: number;
    }
  /** Ask another node: `target` is its gRPC address, `nodeId` its identity (checked against its certificate). */
  | { readonly kind: 'referral'; readonly prefix: string; readonly target: string; readonly nodeId?: string }
  | { readonly kind: 'error'; readonly error: IdnError };

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
