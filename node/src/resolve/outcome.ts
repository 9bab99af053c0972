import type { IdnError } from '../errors/idn-error.ts';
import type { ParsedIdentifier } from '../identifier/index.ts';
import type { StoredRecord } from '../records/types.ts';
import type { RenderMemo } from './render-memo.ts';

/** Where an answer came from; a bounded metric label later (never the identifier). */
export type Source = 'store' | 'cache' | 'upstream' | 'stale';

/** The typed result of a resolution stage; every stage returns one of these. */
export type Outcome =
  | { readonly kind: 'found'; readonly record: StoredRecord; readonly source: Source; readonly memo: RenderMemo }
  | { readonly kind: 'not-found'; readonly gone?: StoredRecord; readonly source: Source }
  | { readonly kind: 'referral'; readonly prefix: string; readonly target: string }
  | { readonly kind: 'error'; readonly error: IdnError };

export interface ResolveRequest {
  readonly id: ParsedIdentifier;
  /** Handle's auth=true: an authoritative answer, bypassing caches. */
  readonly authoritative: boolean;
}

export type Next = (req: ResolveRequest) => Promise<Outcome>;

/** One link of the chain: do one job, answer, or pass to `next`. */
export interface Stage {
  readonly name: string;
  run(req: ResolveRequest, next: Next): Promise<Outcome>;
}
