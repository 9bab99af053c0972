import type { Registry } from 'prom-client';
import type { ErrorDetail__Output } from '../../../proto/generated/idnode/v1/ErrorDetail.generated.ts';
import type { SyncClientType } from '../../../proto/load.ts';
import type { ChangeFeed } from '../store/change-feed.ts';
import type { ReadonlyStore } from '../store/store.ts';
import { backoffDelay, DEFAULT_BACKOFF, sleep, type BackoffPolicy } from './backoff.ts';
import { lagGauges, type LagGauges } from './lag-gauges.ts';
import { PushSession } from './push-session.ts';

export interface SyncSenderDeps {
  readonly store: ReadonlyStore;
  /** A fresh client per session, made by the caller with its TLS credentials; the sender closes it. */
  connect(): SyncClientType;
  readonly nodeId: string;
  /** Entries per batch (the receiver's hello may lower it). Default 500. */
  readonly batchSize?: number;
  onLag?(entries: number, seconds: number): void;
  /** Entries the top-level refused (foreign prefix): they are skipped there, so an operator must look. */
  onRefused?(error: ErrorDetail__Output): void;
  /** Registers idnode_sync_lag_entries / idnode_sync_lag_seconds here (ctx.metrics.registry). */
  readonly registry?: Registry;
  /** Wakes the sender as soon as a change commits here instead of at the next poll. */
  readonly changes?: ChangeFeed;
  readonly backoff?: BackoffPolicy;
  readonly pollMs?: number;
  readonly helloTimeoutMs?: number;
  readonly lagIntervalMs?: number;
}

export interface SyncSenderStatus {
  readonly lastAcked: number;
  readonly lastSeq: number;
  readonly connected: boolean;
  /** Sessions that got a hello, and the resume_from of the latest one. */
  readonly sessions: number;
  readonly lastResumeFrom: number;
  /** Entries written to streams in total (resends included). */
  readonly sentEntries: number;
  readonly refused: number;
}

export interface SyncSender {
  stop(): Promise<void>;
  status(): SyncSenderStatus;
  /** Resolves when the top-level has acked everything up to the store's current last seq. */
  caughtUp(timeoutMs: number): Promise<boolean>;
}

class Sender implements SyncSender {
  readonly #d: SyncSenderDeps;
  readonly #abort = new AbortController();
  readonly #gauges: LagGauges | undefined;
  #session: PushSession | undefined;
  #loop: Promise<void> = Promise.resolve();
  #lagTimer: NodeJS.Timeout | undefined;
  #unsubscribe: () => void = () => {};
  #s = { lastAcked: 0, lastSeq: 0, sessions: 0, lastResumeFrom: 0, sentEntries: 0, refused: 0 };

  constructor(d: SyncSenderDeps) {
    this.#d = d;
    this.#gauges = d.registry ? lagGauges(d.registry) : undefined;
  }

  start(): this {
    this.#loop = this.#run();
    this.#lagTimer = setInterval(() => void this.#reportLag(), this.#d.lagIntervalMs ?? 1000);
    this.#lagTimer.unref();
    if (this.#d.changes) this.#unsubscribe = this.#d.changes.subscribe(() => this.#session?.poke());
    return this;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    clearInterval(this.#lagTimer);
    this.#unsubscribe();
    await this.#loop;
  }

  status(): SyncSenderStatus {
    return { ...this.#s, connected: this.#session?.connected ?? false };
  }

  async caughtUp(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.#abort.signal.aborted) {
      this.#s.lastSeq = await this.#d.store.lastSeq();
      if (this.#s.lastAcked >= this.#s.lastSeq) return true;
      await sleep(50, this.#abort.signal);
    }
    return false;
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#abort.signal.aborted) {
      const helloSeen = await this.#runSession();
      if (this.#abort.signal.aborted) break;
      // A session that got as far as the hello resets the backoff; failures to connect grow it.
      attempt = helloSeen ? 0 : attempt + 1;
      await sleep(backoffDelay(this.#d.backoff ?? DEFAULT_BACKOFF, attempt), this.#abort.signal);
    }
  }

  async #runSession(): Promise<boolean> {
    let client: SyncClientType | undefined;
    try {
      client = this.#d.connect();
      const session = new PushSession({
        store: this.#d.store,
        client,
        nodeId: this.#d.nodeId,
        batchSize: this.#d.batchSize ?? 500,
        pollMs: this.#d.pollMs ?? 100,
        helloTimeoutMs: this.#d.helloTimeoutMs ?? 10_000,
        signal: this.#abort.signal,
        hooks: this.#hooks(),
      });
      this.#session = session;
      await session.run();
      return session.helloSeen;
    } catch {
      return false;
    } finally {
      this.#session = undefined;
      client?.close();
    }
  }

  #hooks() {
    return {
      onHello: (resumeFrom: number) => {
        this.#s.sessions += 1;
        this.#s.lastResumeFrom = resumeFrom;
        this.#s.lastAcked = resumeFrom;
      },
      onAck: (appliedThrough: number) => void (this.#s.lastAcked = appliedThrough),
      onSent: (n: number) => void (this.#s.sentEntries += n),
      onRefused: (e: ErrorDetail__Output) => {
        this.#s.refused += 1;
        this.#d.onRefused?.(e);
      },
    };
  }

  async #reportLag(): Promise<void> {
    try {
      this.#s.lastSeq = await this.#d.store.lastSeq();
      const entries = Math.max(0, this.#s.lastSeq - this.#s.lastAcked);
      const oldest = entries > 0 ? (await this.#d.store.changesSince(this.#s.lastAcked, 1))[0] : undefined;
      const seconds = oldest ? Math.max(0, (Date.now() - Date.parse(oldest.at)) / 1000) : 0;
      this.#gauges?.set(entries, seconds);
      this.#d.onLag?.(entries, seconds);
    } catch {
      // The store is closing or unavailable: the next tick reports again.
    }
  }
}

/**
 * Starts the secondary node's upward sync: one Push stream to the top-level, resumed from the
 * hello's resume_from after every cut, reconnecting with capped exponential backoff and jitter.
 */
export function startSyncSender(deps: SyncSenderDeps): SyncSender {
  return new Sender(deps).start();
}
