import { performance } from 'node:perf_hooks';
import type { ReaderResolver } from '../access/reader.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { IdnError } from '../errors/idn-error.ts';
import type { PrefixLabeler } from '../observability/prefix-label.ts';
import { errorAnswer, type AnswerRequest, type ReaderCredentials, type ResolvedAnswer, type Want } from './answer.ts';
import { canFinaliseNow, finalise, finaliseNow, type FinaliseDeps } from './finalise.ts';
import type { ResolutionChain } from './order.ts';
import { TraceSink } from './trace.ts';

/** The resolution histogram as the service sees it (observability/metrics.ts NodeMetrics). */
export interface ResolveObserver {
  observeResolve(source: string, outcome: 'found' | 'not-found' | 'error', prefix: string, seconds: number): void;
}

export interface ResolutionServiceDeps {
  readonly chain: ResolutionChain;
  readonly readers: ReaderResolver;
  readonly audit: AuditLog;
  /** Budget of auth=true (cache-bypassing) answers; unbounded when absent (the peer service). */
  readonly authoritativeReads?: { take(): boolean };
  /** One observation per answer; nothing measured when absent (the peer service). */
  readonly metrics?: { readonly observer: ResolveObserver; readonly prefixes: PrefixLabeler };
}

const outcomeLabel = (a: ResolvedAnswer): 'found' | 'not-found' | 'error' =>
  a.kind === 'found' ? 'found' : a.kind === 'not-found' || a.kind === 'gone' ? 'not-found' : 'error';

/**
 * The one answer path: every transport (JSON API, QR and GS1 routes, the gRPC Resolution service)
 * parses its request, calls `answer`, and renders what comes back. The chain (order.ts) finds the
 * outcome, finalise.ts turns it into what this reader may see, and each answer is measured once.
 */
export class ResolutionService {
  private readonly deps: ResolutionServiceDeps;
  private readonly finaliseDeps: FinaliseDeps;

  constructor(deps: ResolutionServiceDeps) {
    this.deps = deps;
    this.finaliseDeps = { readers: deps.readers, audit: deps.audit, subLookup: deps.chain.subLookup };
  }

  async answer(request: AnswerRequest, reader: ReaderCredentials, want: Want): Promise<ResolvedAnswer> {
    // auth=true skips every cache: bounded, so that it cannot be turned against the backend.
    if (want.authoritative && this.deps.authoritativeReads?.take() === false) {
      return errorAnswer(new IdnError('IDN_ERR_RATE_LIMITED'), request.id);
    }
    const start = performance.now();
    const sink = want.trace ? new TraceSink() : undefined;
    const outcome = await this.deps.chain.resolve(
      request.via === undefined && sink === undefined
        ? { id: request.id, authoritative: want.authoritative }
        : {
            id: request.id,
            authoritative: want.authoritative,
            ...(request.via === undefined ? {} : { via: request.via }),
            ...(sink === undefined ? {} : { trace: sink }),
          },
    );
    const answer = await finalise(outcome, { request, credentials: reader, want }, this.finaliseDeps);
    this.measure(request, answer, start);
    return sink === undefined ? answer : { ...answer, trace: sink.spans };
  }

  /**
   * The same answer as `answer`, in this tick, when the chain has it ready (a fresh cache hit) and
   * finalising needs no promise (an anonymous reader, no type filter, no trace, no auth=true, not
   * forwarded); otherwise undefined, having done nothing, and the caller uses `answer`.
   */
  answerNow(request: AnswerRequest, reader: ReaderCredentials, want: Want): ResolvedAnswer | undefined {
    const hitNow = this.deps.chain.hitNow;
    if (hitNow === undefined || want.authoritative || want.trace || request.via !== undefined) return undefined;
    const input = { request, credentials: reader, want };
    if (!canFinaliseNow(input)) return undefined;
    const start = performance.now();
    const outcome = hitNow({ id: request.id, authoritative: false });
    if (outcome === undefined) return undefined;
    const answer = finaliseNow(outcome, input, this.finaliseDeps);
    // canFinaliseNow held, so finaliseNow answered; the guard keeps the type honest.
    if (answer === undefined) return undefined;
    this.measure(request, answer, start);
    return answer;
  }

  /** One observation per answer. */
  private measure(request: AnswerRequest, answer: ResolvedAnswer, start: number): void {
    const m = this.deps.metrics;
    if (m === undefined) return;
    const seconds = (performance.now() - start) / 1000;
    m.observer.observeResolve(
      answer.provenance.source,
      outcomeLabel(answer),
      m.prefixes.label(request.id.prefixKey),
      seconds,
    );
  }
}
