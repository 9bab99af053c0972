import type { ServerDuplexStream } from '@grpc/grpc-js';
import { IdnError, isIdnError } from '../errors/idn-error.ts';
import { parseIdentifier } from '../identifier/index.ts';
import { answerToOutcome, NO_CREDENTIALS, WANT_RECORD } from '../resolve/answer.ts';
import type { Outcome } from '../resolve/outcome.ts';
import type { ResolutionService } from '../resolve/resolution-service.ts';
import type { TraceSpan } from '../resolve/trace.ts';
import type { ResolutionHandlers } from '../../../proto/load.ts';
import type { ResolveRequest__Output } from '../../../proto/generated/idnode/v1/ResolveRequest.generated.ts';
import type { ResolveResponse } from '../../../proto/generated/idnode/v1/ResolveResponse.generated.ts';
import type { ResolveRequestBatch__Output } from '../../../proto/generated/idnode/v1/ResolveRequestBatch.generated.ts';
import type { ResolveResponseBatch } from '../../../proto/generated/idnode/v1/ResolveResponseBatch.generated.ts';
import { outcomeToWire, type AnswerHints } from './wire.ts';
import { peerAnswerSignature } from './answer-signature.ts';
import type { AnswerSigner } from '../signing/answer-signer.ts';

/**
 * The Resolution service: answers other nodes from this node's peer-mode ResolutionService (no
 * cache, no referral following: a referral goes back to the asker). Loop guard: a request that
 * already passed this node, or took too many hops, is refused with IDN_ERR_LOOP_DETECTED.
 */
export interface ResolutionServiceDeps {
  readonly selfId: string;
  readonly resolvePeer: Pick<ResolutionService, 'answer'>;
  readonly maxHops?: number;
  /** This node's cache hints for the asking node (negative_ttl). */
  readonly hints?: AnswerHints;
  /** Signs this node's found answers for the nodes that relay them (ADR 0011); none when absent. */
  readonly signer?: AnswerSigner;
}

const DEFAULT_MAX_HOPS = 8;

interface PeerAnswer {
  readonly outcome: Outcome;
  readonly trace?: readonly TraceSpan[];
}

async function resolveFor(deps: ResolutionServiceDeps, req: ResolveRequest__Output): Promise<PeerAnswer> {
  if (req.viaNodes.includes(deps.selfId) || req.hopCount > (deps.maxHops ?? DEFAULT_MAX_HOPS)) {
    const error = new IdnError('IDN_ERR_LOOP_DETECTED', undefined, { via: req.viaNodes, at: deps.selfId });
    return { outcome: { kind: 'error', error }, ...(req.trace ? { trace: [] } : {}) };
  }
  try {
    const id = parseIdentifier(req.identifier, 'text');
    const answer = await deps.resolvePeer.answer({ id, route: 'peer', via: req.viaNodes }, NO_CREDENTIALS, {
      ...WANT_RECORD,
      authoritative: req.authoritative,
      trace: req.trace,
    });
    const signed = peerAnswerSignature(answer, deps.signer);
    const outcome = answerToOutcome(answer);
    return {
      outcome: signed === undefined || outcome.kind !== 'found' ? outcome : { ...outcome, relayedSignature: signed },
      ...(answer.trace === undefined ? {} : { trace: answer.trace }),
    };
  } catch (e) {
    return { outcome: { kind: 'error', error: isIdnError(e) ? e : new IdnError('IDN_ERR_INTERNAL') } };
  }
}

async function answer(deps: ResolutionServiceDeps, req: ResolveRequest__Output): Promise<ResolveResponse> {
  const { outcome, trace } = await resolveFor(deps, req);
  const res = outcomeToWire(outcome, req.requestId, deps.selfId, deps.hints);
  return trace === undefined ? res : { ...res, trace: traceToWire(trace, deps.selfId) };
}

/** Spans of this node carry its id; spans from its own hops already name theirs. */
function traceToWire(spans: readonly TraceSpan[], selfId: string): ResolveResponse['trace'] {
  return spans.map((s) => ({
    node: s.node ?? selfId,
    stage: s.stage,
    outcome: s.outcome,
    durationMs: s.ms,
    depth: s.depth,
    detail: s.detail ?? '',
  }));
}

/** Answers arrive in completion order, each tagged with its request_id; the stream ends after the last one. */
function serveStream(deps: ResolutionServiceDeps, call: ServerDuplexStream<ResolveRequest__Output, ResolveResponse>) {
  let open = 0;
  let ended = false;
  const finish = () => {
    if (ended && open === 0) call.end();
  };
  call.on('data', (req: ResolveRequest__Output) => {
    open++;
    void answer(deps, req).then((res) => {
      open--;
      if (!call.cancelled && call.writable) call.write(res);
      finish();
    });
  });
  call.on('end', () => {
    ended = true;
    finish();
  });
  call.on('error', () => undefined);
}

/**
 * ResolveStream with many requests per message. Answers that complete in one event-loop turn leave
 * as one message (flushed from setImmediate), so a burst of misses costs one frame each way instead
 * of one per request, and a slow answer never holds back the others.
 */
function serveBatchStream(
  deps: ResolutionServiceDeps,
  call: ServerDuplexStream<ResolveRequestBatch__Output, ResolveResponseBatch>,
) {
  let open = 0;
  let ended = false;
  let outbox: ResolveResponse[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const responses = outbox;
    outbox = [];
    if (responses.length > 0 && !call.cancelled && call.writable) call.write({ responses });
    if (ended && open === 0) call.end();
  };
  const done = (res: ResolveResponse) => {
    open--;
    outbox.push(res);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  call.on('data', (batch: ResolveRequestBatch__Output) => {
    for (const req of batch.requests) {
      open++;
      void answer(deps, req).then(done);
    }
  });
  call.on('end', () => {
    ended = true;
    if (!scheduled && open === 0) call.end();
  });
  call.on('error', () => undefined);
}

export function createResolutionHandlers(deps: ResolutionServiceDeps): ResolutionHandlers {
  return {
    Resolve: (call, callback) => {
      void answer(deps, call.request).then((res) => callback(null, res));
    },
    ResolveStream: (call) => serveStream(deps, call),
    ResolveBatchStream: (call) => serveBatchStream(deps, call),
  };
}
