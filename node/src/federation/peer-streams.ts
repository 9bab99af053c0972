import type { ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import type { ResolutionClientType } from '../../../proto/load.ts';
import type { ResolveRequest as WireRequest } from '../../../proto/generated/idnode/v1/ResolveRequest.generated.ts';
import type { ResolveRequestBatch } from '../../../proto/generated/idnode/v1/ResolveRequestBatch.generated.ts';
import type { ResolveResponse__Output } from '../../../proto/generated/idnode/v1/ResolveResponse.generated.ts';
import type { ResolveResponseBatch__Output } from '../../../proto/generated/idnode/v1/ResolveResponseBatch.generated.ts';

/**
 * The two long-lived streams a PeerClient can multiplex its misses on. ResolveBatchStream sends
 * the requests of one event-loop turn as one message (one protobuf encode, one HTTP/2 DATA frame,
 * one pass through grpc-js's filters) instead of one each; ResolveStream is kept for peers that
 * answer UNIMPLEMENTED to it (older nodes).
 */

export interface PeerStream {
  readonly batched: boolean;
  write(req: WireRequest): void;
  cancel(): void;
}

export interface StreamEvents {
  answer(r: ResolveResponse__Output): void;
  /** The stream ended or failed; `err` tells why (UNIMPLEMENTED: the peer has no batch stream). */
  broke(s: PeerStream, err?: ServiceError): void;
  /** One message written (stats: requests per message). */
  sent(): void;
}

/** Requests per message: bounded so a burst cannot build a message near the peer's size limit. */
export const MAX_BATCH = 64;

type Call =
  | ClientDuplexStream<WireRequest, ResolveResponse__Output>
  | ClientDuplexStream<ResolveRequestBatch, ResolveResponseBatch__Output>;

function watch(call: Call, s: PeerStream, ev: StreamEvents): void {
  call.on('error', (e: ServiceError) => ev.broke(s, e));
  call.on('end', () => ev.broke(s));
}

export function openSingleStream(client: ResolutionClientType, ev: StreamEvents): PeerStream {
  const call = client.ResolveStream();
  // write() returning false only means the HTTP/2 window is full: the request is queued, and the
  // per-request deadline bounds how long it may wait there.
  const write = (r: WireRequest): void => {
    call.write(r);
    ev.sent();
  };
  const s: PeerStream = { batched: false, write, cancel: () => call.cancel() };
  call.on('data', (r: ResolveResponse__Output) => ev.answer(r));
  watch(call, s, ev);
  return s;
}

export function openBatchStream(client: ResolutionClientType, ev: StreamEvents): PeerStream {
  const call = client.ResolveBatchStream();
  let outbox: WireRequest[] = [];
  let scheduled = false;
  let cancelled = false;
  // setImmediate, not a microtask: the misses of every socket read in this poll phase join one batch.
  const flush = (): void => {
    scheduled = false;
    const all = outbox;
    outbox = [];
    if (cancelled) return;
    for (let i = 0; i < all.length; i += MAX_BATCH) {
      call.write({ requests: all.slice(i, i + MAX_BATCH) });
      ev.sent();
    }
  };
  const s: PeerStream = {
    batched: true,
    write(r) {
      outbox.push(r);
      if (scheduled) return;
      scheduled = true;
      setImmediate(flush);
    },
    cancel() {
      cancelled = true;
      outbox = [];
      call.cancel();
    },
  };
  call.on('data', (b: ResolveResponseBatch__Output) => {
    for (const r of b.responses) ev.answer(r);
  });
  watch(call, s, ev);
  return s;
}
