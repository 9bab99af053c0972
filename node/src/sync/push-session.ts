import * as grpc from '@grpc/grpc-js';
import type { SyncClientType } from '../../../proto/load.ts';
import type { ChangeBatch } from '../../../proto/generated/idnode/v1/ChangeBatch.generated.ts';
import type { ErrorDetail__Output } from '../../../proto/generated/idnode/v1/ErrorDetail.generated.ts';
import type { SyncAck__Output } from '../../../proto/generated/idnode/v1/SyncAck.generated.ts';
import type { ReadonlyStore } from '../store/store.ts';
import { NODE_ID_METADATA } from './sync-receiver.ts';
import { entryToWire } from './wire-codec.ts';

export interface SessionHooks {
  onHello(resumeFrom: number): void;
  onAck(appliedThrough: number): void;
  onRefused?(error: ErrorDetail__Output): void;
  onSent(entries: number): void;
}

export interface SessionOptions {
  readonly store: ReadonlyStore;
  readonly client: SyncClientType;
  readonly nodeId: string;
  readonly batchSize: number;
  readonly pollMs: number;
  readonly helloTimeoutMs: number;
  readonly hooks: SessionHooks;
  readonly signal: AbortSignal;
}

/**
 * One Push stream: waits for the hello, then streams the change log from resume_from + 1 in
 * contiguous batches with at most `window` unacked batches, rewinding on resend_from. It ends
 * (resolves) when the stream is cut for any reason; the sender then reconnects.
 */
export class PushSession {
  readonly #o: SessionOptions;
  readonly #call: grpc.ClientDuplexStream<ChangeBatch, SyncAck__Output>;
  #open = true;
  #helloSeen = false;
  /** Highest seq written to the stream (rewound on resend_from). */
  #pos = 0;
  /** Last seq of each unacked batch, oldest first. */
  #inflight: number[] = [];
  #window = 1;
  #maxEntries = 1;
  #wake: () => void = () => {};
  readonly #ended: Promise<void>;

  constructor(o: SessionOptions) {
    this.#o = o;
    const md = new grpc.Metadata();
    md.set(NODE_ID_METADATA, o.nodeId);
    this.#call = o.client.push(md);
    this.#ended = new Promise((resolve) => {
      const end = (): void => {
        this.#open = false;
        this.#wake();
        resolve();
      };
      this.#call.on('error', end).on('end', end).on('close', end);
    });
    this.#call.on('data', (m: SyncAck__Output) => this.#onMessage(m));
  }

  get helloSeen(): boolean {
    return this.#helloSeen;
  }

  get connected(): boolean {
    return this.#open && this.#helloSeen;
  }

  async run(): Promise<void> {
    const stop = (): void => this.#call.cancel();
    this.#o.signal.addEventListener('abort', stop, { once: true });
    const helloTimer = setTimeout(() => this.#helloSeen || this.#call.cancel(), this.#o.helloTimeoutMs);
    try {
      // A failed store read ends this session; the sender reconnects and resumes from the hello.
      await this.#pump().catch(() => undefined);
    } finally {
      clearTimeout(helloTimer);
      this.#o.signal.removeEventListener('abort', stop);
      this.#call.cancel();
      await this.#ended;
    }
  }

  #onMessage(m: SyncAck__Output): void {
    if (m.kind === 'hello' && m.hello) {
      this.#helloSeen = true;
      this.#pos = m.hello.resumeFrom;
      this.#inflight = [];
      this.#window = Math.max(1, m.hello.maxUnackedBatches || 1);
      this.#maxEntries = Math.max(1, m.hello.maxBatchEntries || this.#o.batchSize);
      this.#o.hooks.onHello(m.hello.resumeFrom);
    } else if (m.kind === 'ack' && m.ack) {
      const a = m.ack;
      this.#inflight = this.#inflight.filter((s) => s > a.appliedThrough);
      if (a.resendFrom > 0) {
        // Everything after the gap was dropped by the receiver: rewind, never skip.
        this.#pos = a.resendFrom - 1;
        this.#inflight = [];
      }
      this.#o.hooks.onAck(a.appliedThrough);
      if (a.error) this.#o.hooks.onRefused?.(a.error);
    }
    this.#wake();
  }

  #waitWake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  async #pump(): Promise<void> {
    while (this.#open) {
      if (!this.#helloSeen || this.#inflight.length >= this.#window) {
        await this.#waitWake(this.#o.pollMs * 10);
        continue;
      }
      const from = this.#pos;
      const entries = await this.#o.store.changesSince(from, Math.min(this.#o.batchSize, this.#maxEntries));
      // An ack with resend_from may have rewound the position while we read: read again.
      if (!this.#open || from !== this.#pos) continue;
      if (entries.length === 0) {
        await this.#waitWake(this.#o.pollMs);
        continue;
      }
      const last = entries[entries.length - 1]!.seq;
      this.#pos = last;
      this.#inflight.push(last);
      this.#o.hooks.onSent(entries.length);
      if (!this.#call.write({ nodeId: this.#o.nodeId, entries: entries.map(entryToWire) })) await this.#drained();
    }
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      this.#call.once('drain', resolve);
      void this.#ended.then(resolve);
    });
  }

  /** Wakes a pump waiting for new changes (the change feed calls this). */
  poke(): void {
    this.#wake();
  }
}
