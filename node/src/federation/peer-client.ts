import { performance } from 'node:perf_hooks';
import { connectivityState, status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { IdnError } from '../errors/idn-error.ts';
import type { Outcome, ResolveRequest } from '../resolve/outcome.ts';
import { outcomeSummary, type TraceSink, type TraceSpan } from '../resolve/trace.ts';
import { ResolutionClient, type ResolutionClientType } from '../../../proto/load.ts';
import type { ResolveRequest as WireRequest } from '../../../proto/generated/idnode/v1/ResolveRequest.generated.ts';
import type { ResolveResponse__Output } from '../../../proto/generated/idnode/v1/ResolveResponse.generated.ts';
import { openBatchStream, openSingleStream, type PeerStream } from './peer-streams.ts';
import { outcomeFromWire } from './wire.ts';

/**
 * The client side of Resolution towards one peer. Concurrent misses share ONE long-lived
 * ResolveBatchStream (the misses of one event-loop turn in one message, matched by request_id;
 * ResolveStream, one request per message, when the peer does not offer it), identical in-flight requests are coalesced into one,
 * every request has its own deadline, and while the stream is down requests go unary (with the
 * channel's retry policy: Resolve is idempotent) and the stream is reopened after a backoff.
 */

export interface PeerClientOptions {
  readonly address: string;
  readonly credentials: ChannelCredentials;
  /** This node's id, appended to via_nodes (loop guard). */
  readonly selfId: string;
  readonly timeoutMs: number;
  /** The node id the peer's certificate must carry (TLS checks the SAN); default: the host in address. */
  readonly expectNodeId?: string;
  /** 'stream' forces one request per message, 'unary' unary calls (comparisons); default 'batch'. */
  readonly transport?: 'batch' | 'stream' | 'unary';
}

export interface PeerStats {
  streamRequests: number;
  /** Messages written on the stream: fewer than streamRequests when misses were batched. */
  streamMessages: number;
  unaryRequests: number;
  coalesced: number;
  streamOpens: number;
  failures: number;
}

interface Pending {
  readonly resolve: (o: Outcome) => void;
  readonly wire: WireRequest;
  /** Wall clock (Date.now), for the gRPC deadline of a unary retry. */
  readonly deadline: number;
  /** Monotonic (performance.now): when the deadline sweep times it out. */
  readonly expiresAt: number;
  /** Traced requests: where the remote node's spans go. */
  readonly hop?: Hop;
}

/** A traced call to this peer: the local span of the hop and the sink the remote spans join. */
interface Hop {
  readonly sink: TraceSink;
  readonly span: TraceSpan;
  readonly start: number;
}

const MAX_HOPS = 8;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;

/** Retries only for idempotent reads: gRFC A6 retry policy in the channel's service config. */
export const IDEMPOTENT_RETRY_CONFIG = JSON.stringify({
  methodConfig: [
    {
      name: [
        { service: 'idnode.v1.Resolution', method: 'Resolve' },
        { service: 'idnode.v1.Registry', method: 'LookupPrefix' },
        { service: 'idnode.v1.Registry', method: 'Heartbeat' },
      ],
      retryPolicy: {
        maxAttempts: 3,
        initialBackoff: '0.05s',
        maxBackoff: '0.5s',
        backoffMultiplier: 2,
        retryableStatusCodes: ['UNAVAILABLE'],
      },
    },
  ],
});

export function channelOptions(expectNodeId: string | undefined): Record<string, string | number> {
  const opts: Record<string, string | number> = {
    'grpc.service_config': IDEMPOTENT_RETRY_CONFIG,
    'grpc.max_receive_message_length': 1024 * 1024,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 10_000,
  };
  // TLS then verifies the peer's certificate names that node: a referral cannot send us to an impostor.
  if (expectNodeId !== undefined) opts['grpc.ssl_target_name_override'] = expectNodeId;
  return opts;
}

export class PeerClient {
  readonly address: string;
  readonly stats: PeerStats = {
    streamRequests: 0,
    streamMessages: 0,
    unaryRequests: 0,
    coalesced: 0,
    streamOpens: 0,
    failures: 0,
  };
  /** Time of the last answer from this peer (any status): the link works. */
  lastSuccessAt = 0;
  private readonly client: ResolutionClientType;
  private readonly opts: PeerClientOptions;
  private stream: PeerStream | undefined;
  /** The peer answered UNIMPLEMENTED to ResolveBatchStream: use ResolveStream from now on. */
  private batchUnsupported = false;
  private streamDownUntil = 0;
  private backoffMs = BACKOFF_MIN_MS;
  private nextId = 1;
  /**
   * Requests on the stream by request id. Every request gets the same timeout, so insertion order
   * is deadline order: one timer, armed for the oldest, times them out (no timer per request).
   */
  private readonly pending = new Map<string, Pending>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Map<string, Promise<Outcome>>();
  private closed = false;

  constructor(opts: PeerClientOptions) {
    this.opts = opts;
    this.address = opts.address;
    this.client = new ResolutionClient(opts.address, opts.credentials, channelOptions(opts.expectNodeId));
  }

  get connected(): boolean {
    return this.client.getChannel().getConnectivityState(false) === connectivityState.READY;
  }

  /** Nudges the channel to connect (readiness probes should not wait for the first miss). */
  connect(): void {
    this.client.getChannel().getConnectivityState(true);
  }

  resolve(req: ResolveRequest): Promise<Outcome> {
    const via = [...(req.via ?? []), this.opts.selfId];
    if (via.length > MAX_HOPS) return Promise.resolve(loop(`more than ${MAX_HOPS} hops`));
    if (req.trace !== undefined) return this.traced(req.trace, this.wireRequest(req, via, true));
    // Coalesce identical misses: the cache's single-flight does not cover auth=true or uncached paths.
    const key = `${req.authoritative ? 'a' : 'c'}|${req.id.key}|${via.join(',')}`;
    const existing = this.inFlight.get(key);
    if (existing !== undefined) {
      this.stats.coalesced++;
      return existing;
    }
    const p = this.send(this.wireRequest(req, via, false)).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private wireRequest(req: ResolveRequest, via: string[], trace: boolean): WireRequest {
    return {
      requestId: '',
      identifier: req.id.handle,
      authoritative: req.authoritative,
      hopCount: via.length,
      viaNodes: via,
      trace,
    };
  }

  /** A traced request is never coalesced: it must see (and time) its own round trip. */
  private async traced(sink: TraceSink, wire: WireRequest): Promise<Outcome> {
    const span: TraceSpan = { stage: 'hop', depth: sink.depth, outcome: 'pending', ms: 0, detail: this.address };
    sink.spans.push(span);
    const hop: Hop = { sink, span, start: performance.now() };
    const o = await this.send(wire, hop);
    span.outcome = outcomeSummary(o);
    if (span.ms === 0) span.ms = Math.round((performance.now() - hop.start) * 1000) / 1000;
    return o;
  }

  close(): void {
    this.closed = true;
    this.stream?.cancel();
    this.failPending(new IdnError('IDN_ERR_UNAVAILABLE', 'The node is shutting down.'));
    this.client.close();
  }

  private send(wire: WireRequest, hop?: Hop): Promise<Outcome> {
    if (this.closed) return Promise.resolve(unavailable(this.address, 'client closed'));
    const stream = this.opts.transport === 'unary' ? undefined : this.openStream();
    if (stream === undefined) return this.unary(wire, Date.now() + this.opts.timeoutMs, hop);
    return new Promise((resolve) => {
      const requestId = String(this.nextId++);
      wire.requestId = requestId;
      const timeoutMs = this.opts.timeoutMs;
      const p: Pending = { resolve, wire, deadline: Date.now() + timeoutMs, expiresAt: performance.now() + timeoutMs };
      this.pending.set(requestId, hop === undefined ? p : { ...p, hop });
      this.sweepTimer ??= setTimeout(() => this.sweep(), timeoutMs);
      this.stats.streamRequests++;
      stream.write(wire);
    });
  }

  /** Times out every request past its deadline (the oldest first), then waits for the next one's. */
  private sweep(): void {
    this.sweepTimer = undefined;
    const now = performance.now();
    for (const [requestId, p] of this.pending) {
      if (p.expiresAt > now) {
        this.sweepTimer = setTimeout(() => this.sweep(), p.expiresAt - now);
        return;
      }
      this.pending.delete(requestId);
      this.stats.failures++;
      p.resolve({ kind: 'error', error: new IdnError('IDN_ERR_TIMEOUT', `${this.address} did not answer in time.`) });
    }
  }

  /** Takes every pending request off the stream (and the sweep with them). */
  private takePending(): Pending[] {
    const all = [...this.pending.values()];
    this.pending.clear();
    clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    return all;
  }

  private openStream(): PeerStream | undefined {
    if (this.stream !== undefined) return this.stream;
    if (Date.now() < this.streamDownUntil) return undefined;
    const events = {
      answer: (r: ResolveResponse__Output) => this.answer(r),
      broke: this.streamBroke.bind(this),
      sent: () => void this.stats.streamMessages++,
    };
    const single = this.opts.transport === 'stream' || this.batchUnsupported;
    this.stream = single ? openSingleStream(this.client, events) : openBatchStream(this.client, events);
    this.stats.streamOpens++;
    return this.stream;
  }

  private answer(r: ResolveResponse__Output): void {
    const p = this.pending.get(r.requestId);
    if (p === undefined) return; // timed out meanwhile
    this.pending.delete(r.requestId);
    this.lastSuccessAt = Date.now();
    this.backoffMs = BACKOFF_MIN_MS;
    if (p.hop !== undefined) absorbRemoteTrace(p.hop, r);
    p.resolve(outcomeFromWire(r));
  }

  /** The stream is gone: back off before reopening, and finish its pending requests unary. */
  private streamBroke(stream: PeerStream, err?: ServiceError): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    stream.cancel(); // drops requests not yet flushed: they are finished unary below
    if (stream.batched && err?.code === status.UNIMPLEMENTED) {
      // An older peer: not a failure of the link, so no back-off before ResolveStream.
      this.batchUnsupported = true;
    } else {
      this.streamDownUntil = Date.now() + this.backoffMs * (0.5 + Math.random() / 2);
      this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
    }
    for (const p of this.takePending()) {
      // Resolve is idempotent, so repeating it unary within what is left of its deadline is safe.
      void this.unary(p.wire, p.deadline, p.hop).then(p.resolve);
    }
  }

  private unary(wire: WireRequest, deadline: number, hop?: Hop): Promise<Outcome> {
    this.stats.unaryRequests++;
    return new Promise((resolve) => {
      this.client.Resolve({ ...wire, requestId: wire.requestId || '0' }, { deadline }, (err, res) => {
        if (err !== null || res === undefined) {
          this.stats.failures++;
          const timeout = err?.code === status.DEADLINE_EXCEEDED;
          resolve(
            timeout
              ? { kind: 'error', error: new IdnError('IDN_ERR_TIMEOUT', `${this.address} did not answer in time.`) }
              : unavailable(this.address, err?.details ?? 'no answer'),
          );
          return;
        }
        this.lastSuccessAt = Date.now();
        if (hop !== undefined) absorbRemoteTrace(hop, res);
        resolve(outcomeFromWire(res));
      });
    });
  }

  private failPending(error: IdnError): void {
    for (const p of this.takePending()) p.resolve({ kind: 'error', error });
  }
}

/** The remote node's spans, nested under the hop; the hop's time is the whole round trip. */
function absorbRemoteTrace(hop: Hop, r: ResolveResponse__Output): void {
  hop.span.ms = Math.round((performance.now() - hop.start) * 1000) / 1000;
  hop.span.node = r.servedBy || undefined;
  for (const t of r.trace) {
    hop.sink.spans.push({
      node: t.node,
      stage: t.stage,
      depth: hop.span.depth + 1 + t.depth,
      outcome: t.outcome,
      ms: t.durationMs,
      ...(t.detail === '' ? {} : { detail: t.detail }),
    });
  }
}

function unavailable(address: string, why: string): Outcome {
  return {
    kind: 'error',
    error: new IdnError('IDN_ERR_UNAVAILABLE', `Peer ${address} is unreachable (${why}).`, { peer: address }),
  };
}

const loop = (why: string): Outcome => ({
  kind: 'error',
  error: new IdnError('IDN_ERR_LOOP_DETECTED', undefined, { why }),
});

/** True for errors that say the link failed (not the peer's verdict on the identifier). */
export const isLinkFailure = (o: Outcome): boolean =>
  o.kind === 'error' && (o.error.code === 'IDN_ERR_UNAVAILABLE' || o.error.code === 'IDN_ERR_TIMEOUT');

/** One client per (address, expected node id); closed together on shutdown. */
export class PeerPool {
  private readonly clients = new Map<string, PeerClient>();
  private readonly base: Omit<PeerClientOptions, 'address' | 'expectNodeId'>;

  constructor(base: Omit<PeerClientOptions, 'address' | 'expectNodeId'>) {
    this.base = base;
  }

  get(address: string, expectNodeId?: string): PeerClient {
    const key = `${address}|${expectNodeId ?? ''}`;
    let c = this.clients.get(key);
    if (c === undefined) {
      c = new PeerClient({ ...this.base, address, expectNodeId });
      this.clients.set(key, c);
    }
    return c;
  }

  all(): readonly PeerClient[] {
    return [...this.clients.values()];
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
