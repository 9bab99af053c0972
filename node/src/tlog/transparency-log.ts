import type { ChangeFeed } from '../store/change-feed.ts';
import type { ReadonlyStore } from '../store/store.ts';
import { checkpointText, type Checkpoint } from './checkpoint.ts';
import { readPublished, writePublished, type PublishedCheckpoint } from './checkpoint-file.ts';
import { checkTree, followTo, type StartupCheck } from './follower.ts';
import { LogTree } from './log-tree.ts';
import { verifyConsistency, type Hash } from './merkle.ts';
import { signNote, type NoteSigner } from './note.ts';

export interface OpenCheck extends StartupCheck {
  /** The checkpoint published before the restart: none, extended by the tree, or not a prefix of it. */
  readonly published: 'none' | 'extended' | 'rewritten';
}

export interface TransparencyLogOptions {
  /** `<dataDir>/tlog`: the level files and the last published checkpoint. */
  readonly dir: string;
  readonly origin: string;
  readonly signer: NoteSigner;
  readonly checkpointMs: number;
  /** Told when the tree disagrees with a checkpoint published before (the log was rewritten). */
  readonly onInconsistent?: (published: Checkpoint, rootNow: Hash) => void;
}

/**
 * The transparency log of every change: follows the change log (woken by the change feed, and
 * by a timer for writes of other processes), keeps the tiles, signs a checkpoint every
 * `checkpointMs` while the tree grows. Hashing happens after the write is durable, off the
 * write path: a write never waits for its leaf.
 */
export class TransparencyLog {
  readonly tree: LogTree;
  readonly origin: string;
  readonly signer: NoteSigner;
  readonly #store: ReadonlyStore;
  readonly #opts: TransparencyLogOptions;
  #published: PublishedCheckpoint | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #queued = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #failure: Error | undefined;

  private constructor(store: ReadonlyStore, opts: TransparencyLogOptions) {
    this.#store = store;
    this.#opts = opts;
    this.origin = opts.origin;
    this.signer = opts.signer;
    this.tree = new LogTree(opts.dir);
  }

  /** Opens the files, checks them against the change log, hashes what is missing, publishes a checkpoint. */
  static async open(
    store: ReadonlyStore,
    opts: TransparencyLogOptions,
  ): Promise<{ log: TransparencyLog; check: OpenCheck }> {
    const log = new TransparencyLog(store, opts);
    const checked = await checkTree(log.tree, store);
    const rehashed = await followTo(log.tree, store);
    log.#published = readPublished(opts.dir);
    const published = log.#checkPublished();
    log.rewritten = published === 'rewritten';
    // A rewritten log signs what its tiles now say: serving the old checkpoint would hide the
    // rewrite from no verifier (the tiles no longer lead to it) and would keep it from the witness.
    log.publish(log.rewritten);
    return { log, check: { ...checked, rehashed, published } };
  }

  /** Set at startup when the tree no longer extends the checkpoint published before (the store was changed). */
  rewritten = false;

  /** The published checkpoint must still be a prefix of the tree; if not, the log was rewritten. */
  #checkPublished(): OpenCheck['published'] {
    const p = this.#published?.checkpoint;
    if (!p || p.origin !== this.origin) return 'none';
    const now = p.size <= this.tree.size ? this.tree.root(p.size) : undefined;
    if (now !== undefined && now.equals(p.root)) return 'extended';
    this.#opts.onInconsistent?.(p, now ?? Buffer.alloc(0));
    return 'rewritten';
  }

  /** Follows the feed and signs checkpoints on a timer until stop(). */
  start(feed: ChangeFeed): void {
    this.#unsubscribe = feed.subscribe(() => this.wake());
    this.#timer = setInterval(() => {
      this.wake();
      // A failed signature or write is retried on the next tick; the last checkpoint stays served.
      void this.#running.then(() => this.publish()).catch(() => undefined);
    }, this.#opts.checkpointMs);
    this.#timer.unref();
  }

  /** Announcements during a drain coalesce into one more drain afterwards. */
  wake(): void {
    if (this.#queued) return;
    this.#queued = true;
    this.#running = this.#running.then(async () => {
      this.#queued = false;
      try {
        await followTo(this.tree, this.#store);
        this.#failure = undefined;
      } catch (e) {
        // Kept for health and retried on the next wake; the change log is untouched.
        this.#failure = e instanceof Error ? e : new Error('following the change log failed');
      }
    });
  }

  /** Resolves once every change durable before the call is a leaf. */
  async caughtUp(): Promise<void> {
    this.wake();
    await this.#running;
    if (this.#failure !== undefined) throw this.#failure;
  }

  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Signs a checkpoint of the current tree when it grew since the last one; returns the latest. */
  publish(force = false): PublishedCheckpoint {
    const size = this.tree.size;
    const last = this.#published;
    if (!force && last && last.checkpoint.origin === this.origin && last.checkpoint.size === size) return last;
    const checkpoint: Checkpoint = { origin: this.origin, size, root: this.tree.root(size) };
    const note = signNote(checkpointText(checkpoint), this.signer);
    writePublished(this.#opts.dir, note);
    this.#published = { checkpoint, note };
    return this.#published;
  }

  #cosigned: { note: string; lines: string } | undefined;

  /** A witness cosigned `note`: served beside the log's signature while it is the latest checkpoint. */
  addCosignatures(note: string, lines: string): void {
    this.#cosigned = { note, lines };
  }

  /** What /log/checkpoint serves: the latest checkpoint, with the witness's cosignature when it has one. */
  get served(): string {
    const note = this.latest.note;
    return this.#cosigned?.note === note ? note + this.#cosigned.lines : note;
  }

  get latest(): PublishedCheckpoint {
    return this.#published ?? this.publish();
  }

  /** Whether `older` (a checkpoint of this log) is a prefix of the current tree. */
  extends(older: Checkpoint): boolean {
    if (older.size > this.tree.size) return false;
    const proof = this.tree.consistency(older.size, this.tree.size);
    return verifyConsistency(older.size, this.tree.size, older.root, this.tree.root(), proof);
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
    this.tree.close();
  }
}
