import type { IdnError } from '../errors/idn-error.ts';
import type { RenderMemo } from './render-memo.ts';
import type { StoredRecord } from './types.ts';

/*
 * The answer model of resolution. It lives in the core (not in resolve/) because lower layers
 * name answers too: the cache keeps them, the metrics label them. The chain's own contract
 * (request, stage, next) stays in resolve/outcome.ts, which re-exports these types.
 */

/** Where an answer came from; a bounded metric label later (never the identifier). */
export type Source = 'store' | 'cache' | 'upstream' | 'stale';

/** How a derived answer was found (header `x-idnode-resolved-via`). */
export type DerivedVia = 'template' | 'batch' | 'model' | 'enterprise';

/**
 * Keys of the records an answer was built from besides its own: the batch, model or enterprise
 * record of a walk-up (found or not), the `0.na/<prefix>` record holding WALKUP, and namespaces
 * such as `<prefix>/template.` (every template of a prefix, written or not: cache/dependencies.ts).
 * The resolution cache drops the answer when any of them changes.
 */
export type DependsOn = readonly string[];

/**
 * The homing node's RFC 9421 signature of its canonical JSON answer, relayed unchanged across
 * nodes (ADR 0011): written instead of this node's own signature when it renders the same bytes.
 */
export interface RelayedSignature {
  readonly contentDigest: string;
  readonly signatureInput: string;
  readonly signature: string;
}

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
      readonly dependsOn?: DependsOn;
      /**
       * The records of the GS1 levels above the one that answered, nearest first, up to the primary
       * key (a serial's lot, then its GTIN): a GS1 linkset lists the links of each level.
       */
      readonly levels?: readonly StoredRecord[];
      /** Seconds the node that answered upstream lets this answer be cached (its ttl hint); the cache keeps it no longer. */
      readonly cacheTtl?: number;
      /** An upstream answer's signature by the node that homes it. */
      readonly relayedSignature?: RelayedSignature;
    }
  | {
      readonly kind: 'not-found';
      readonly gone?: StoredRecord;
      readonly source: Source;
      /** Renderings of a cached "not found" (its error body, its page), kept with the cache entry. */
      readonly memo?: RenderMemo;
      readonly authoritative?: boolean;
      /** A miss that templates or walk-up could have answered rests on their sources too. */
      readonly dependsOn?: DependsOn;
      /** Seconds the node that answered upstream lets this negative answer be believed (its negative_ttl hint). */
      readonly cacheTtl?: number;
    }
  /** Ask another node: `target` is its gRPC address, `nodeId` its identity (checked against its certificate). */
  | { readonly kind: 'referral'; readonly prefix: string; readonly target: string; readonly nodeId?: string }
  | { readonly kind: 'error'; readonly error: IdnError };
