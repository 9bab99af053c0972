import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import calculateSlot from 'cluster-key-slot';
import { Cluster, Command, Redis, type ChainableCommander, type ClusterOptions, type RedisOptions } from 'ioredis';
import { IdnError, isIdnError } from '../errors/idn-error.ts';
import type { StoredRecord } from '../records/types.ts';
import {
  atOp,
  changeEntry,
  checkAfterSeq,
  checkAllocateCount,
  checkBefore,
  checkChangesLimit,
  checkCommitSize,
  checkHistoryLimit,
  checkListLimit,
  decideOp,
} from './record-transitions.ts';
import { redisKeys, type RedisKeys } from './redis-keys.ts';
import { decodeInvalidation, encodeInvalidation } from './redis-invalidation.ts';
import { ALLOCATE_LUA, COMMIT_LUA, HISTORY_DONE_LUA, READ_MANY_LUA } from './redis-scripts.ts';
import { toStoreError } from './store-errors.ts';
import { RecentLog } from './recent-log.ts';
import type {
  AllocatedRange,
  ChangeEntry,
  ChangeMeta,
  ChangeOp,
  HistoryPage,
  ListPage,
  RecordInput,
  Store,
  StoreOp,
  WriteCondition,
} from './store.ts';

/*
 * Shared store on Redis (single server or Cluster). Key layout and the one-slot decision: see
 * redis-keys.ts. Durability: a reply is an acknowledgement only as strong as the server's config;
 * run Redis with `appendonly yes` + `appendfsync always` so the AOF is fsynced before the reply
 * (Redis groups concurrent writes into one fsync). With replicas, `waitReplicas` adds WAIT after
 * each write, so a write is acknowledged only once that many replicas have it (WAITAOF needs
 * Redis 7.2; this targets 7.0). Neither makes Redis failover lossless: see the failure tests.
 */

export interface RedisStoreOptions {
  /** Single server, e.g. redis://127.0.0.1:6380. Ignored when `nodes` is given. */
  readonly url?: string;
  /** Cluster seed nodes. */
  readonly nodes?: readonly { readonly host: string; readonly port: number }[];
  /** Namespace of every key and the Cluster hash tag; [A-Za-z0-9._-]. Default "idn". */
  readonly keyPrefix?: string;
  /** Upper bound of one call; when Redis is down calls fail after at most this. Default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /** Replicas that must confirm each write (WAIT) before it is acknowledged. Default 0. */
  readonly waitReplicas?: number;
  /** How long WAIT may block; must stay below commandTimeoutMs. Default commandTimeoutMs / 2. */
  readonly waitTimeoutMs?: number;
  /** How long a request id's answer is kept for re-sends. Default 120 s. */
  readonly requestTtlSec?: number;
  /** PUBLISH the key of every write on `<keyPrefix>:invalidate`. Default true. */
  readonly publishInvalidations?: boolean;
}

export interface RedisStore extends Store {
  readonly kind: 'redis';
  /** Called each time the connection comes back after a loss: a cache in front may be stale. */
  onReconnect(cb: () => void): () => void;
  /** Once per loss of the connection to our keys, before the matching onReconnect. */
  onConnectionLost(cb: () => void): () => void;
  /**
   * Keys written by any store instance on this namespace (needs publishInvalidations).
   * `onGap` runs when the subscription comes back after a loss: messages may have been missed.
   */
  subscribeInvalidations(cb: (key: string) => void, onGap?: () => void): Promise<() => Promise<void>>;
  /** allocate with a caller-chosen request id: the same id answers the same range (tests, retries). */
  allocateWithRequestId(counter: string, count: number, requestId: string): Promise<AllocatedRange>;
}

export type { AllocatedRange };

type Conn = Redis | Cluster;
type ScriptArg = string | number | Buffer;
/** The commands `defineCommand` adds; ioredis cannot type them itself. */
interface ScriptCommands {
  idnAllocate(...args: ScriptArg[]): Promise<number[]>;
  idnHistoryDone(...args: ScriptArg[]): Promise<number>;
}

/** KEYS of the commit script before the per-op record keys (see redis-scripts.ts). */
const COMMIT_FIXED_KEYS = 5;
/** Change-log entries read per round trip when a store written before the history index is opened. */
const BACKFILL_PAGE = 1000;

const DEFAULT_TIMEOUT_MS = 1000;
/** Optimistic writes retry on a version race; more than this means pathological contention. */
const MAX_WRITE_ATTEMPTS = 50;
/** Beyond commandTimeout: our own deadline, in case a Cluster redirect/retry path re-arms timers. */
const DEADLINE_MARGIN_MS = 250;
const LEX_MAX = Buffer.from([0xff]);
/**
 * A commit's script grows with its ops (a 2,000-line import chunk is one ~1 MB script, which Redis
 * parses, runs and appends to its AOF while every other command waits): each this many ops earn
 * one more commandTimeout. Up to this many keep the configured timeout, so a single-record write
 * still fails fast when Redis is gone.
 */
const OPS_PER_TIMEOUT = 250;
const sha1 = (lua: string): string => createHash('sha1').update(lua).digest('hex');
const COMMIT_SHA = sha1(COMMIT_LUA);
const READ_MANY_SHA = sha1(READ_MANY_LUA);
/** getMany of at least this many keys runs READ_MANY_LUA; fewer (the read paths' few keys) pipeline HGETs. */
const READ_SCRIPT_MIN_KEYS = 32;
/** While a lost connection is not confirmed back, probe this often. */
const RECONNECT_PROBE_MS = 200;

/** Reconnect quickly at first, never slower than 1 s: bounded backoff, forever. */
const retryStrategy = (times: number): number => Math.min(50 * times, 1000);

function connect(opts: RedisStoreOptions, timeoutMs: number): Conn {
  const common: RedisOptions = {
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(timeoutMs, 1000),
    // Fail a command after one reconnect attempt instead of holding it through a long outage.
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  };
  if (opts.nodes && opts.nodes.length > 0) {
    const clusterOpts: ClusterOptions = {
      // While the cluster is not ready, calls fail at once instead of queueing without bound.
      enableOfflineQueue: false,
      lazyConnect: true,
      clusterRetryStrategy: retryStrategy,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: timeoutMs,
      // A command that times out on a dead master does not make ioredis re-read the slot map
      // (only MOVED / "Connection is closed" do); poll it so a promoted replica is found in ~1 s.
      slotsRefreshInterval: 1000,
      scaleReads: 'master',
      redisOptions: common,
    };
    return new Cluster(
      opts.nodes.map((n) => ({ host: n.host, port: n.port })),
      clusterOpts,
    );
  }
  return new Redis(opts.url ?? 'redis://127.0.0.1:6379', {
    ...common,
    enableOfflineQueue: false,
    retryStrategy,
    // Reads issued in the same event-loop turn (many requests parsed from one epoll wake-up) go
    // out as one pipeline: one write and one read syscall for all of them instead of one each.
    enableAutoPipelining: true,
  });
}

function defineScripts(conn: Conn): Conn & ScriptCommands {
  // The commit script is not defined here: it runs through #runScript (see #runCommit).
  conn.defineCommand('idnAllocate', { numberOfKeys: 2, lua: ALLOCATE_LUA });
  conn.defineCommand('idnHistoryDone', { numberOfKeys: 2, lua: HISTORY_DONE_LUA });
  return conn as Conn & ScriptCommands;
}

/** Rejects with STORE_UNAVAILABLE after `ms`, so no call can hang whatever the client does. */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IdnError('IDN_ERR_STORE_UNAVAILABLE', 'Redis did not answer in time.')), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

export async function openRedisStore(opts: RedisStoreOptions): Promise<RedisStore> {
  const timeoutMs = opts.commandTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const keys = redisKeys(opts.keyPrefix ?? 'idn');
  const conn = defineScripts(connect(opts, timeoutMs));
  const store = new RedisStoreImpl(conn, keys, opts, timeoutMs);
  try {
    await withDeadline(conn.connect(), timeoutMs * 3);
    await withDeadline(conn.ping(), timeoutMs + DEADLINE_MARGIN_MS);
    await store.indexHistory();
  } catch (e) {
    conn.disconnect();
    throw toStoreError(e);
  }
  return store;
}

class RedisStoreImpl implements RedisStore {
  readonly kind = 'redis';
  readonly #conn: Conn & ScriptCommands;
  readonly #keys: RedisKeys;
  readonly #opts: RedisStoreOptions;
  readonly #timeoutMs: number;
  readonly #events = new EventEmitter();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #recent = new RecentLog();
  /** This instance's commits in flight, oldest first (their entries join #recent when they settle). */
  readonly #committing = new Set<Promise<unknown>>();
  /** Names this instance in its invalidation messages, so its own subscriber skips them. */
  readonly #origin = randomUUID();
  #closed = false;
  #lost = false;
  #probing = false;

  constructor(conn: Conn & ScriptCommands, keys: RedisKeys, opts: RedisStoreOptions, timeoutMs: number) {
    this.#conn = conn;
    this.#keys = keys;
    this.#opts = opts;
    this.#timeoutMs = timeoutMs;
    this.#watchConnection();
  }

  get recentLogEntries(): number {
    return this.#recent.size;
  }

  get(key: string): Promise<StoredRecord | undefined> {
    return this.#call(() => this.#read(key));
  }

  getMany(keys: readonly string[]): Promise<(StoredRecord | undefined)[]> {
    return this.#call(async () => {
      if (keys.length === 0) return [];
      const found = await this.#readMany([...new Set(keys)]);
      return keys.map((k) => found.get(k));
    });
  }

  commit(ops: readonly StoreOp[], meta: ChangeMeta): Promise<readonly StoredRecord[]> {
    return this.#call(() => this.#commit(ops, meta, true), timeoutScale(ops.length));
  }

  put(key: string, input: RecordInput, cond: WriteCondition, meta: ChangeMeta): Promise<StoredRecord> {
    return this.#call(async () => (await this.#commit([{ op: 'put', key, input, cond }], meta, false))[0]!);
  }

  delete(key: string, cond: WriteCondition, meta: ChangeMeta): Promise<StoredRecord> {
    return this.#call(async () => (await this.#commit([{ op: 'delete', key, cond }], meta, false))[0]!);
  }

  list(keyPrefix: string, page: { readonly after?: string; readonly limit: number }): Promise<ListPage> {
    return this.#call(async () => {
      checkListLimit(page.limit);
      const keys = await this.#conn.zrangebylex(
        this.#keys.index,
        lexStart(keyPrefix, page.after),
        Buffer.concat([Buffer.from('(' + keyPrefix), LEX_MAX]),
        'LIMIT',
        0,
        page.limit + 1,
      );
      if (keys.length <= page.limit) return { keys };
      const full = keys.slice(0, page.limit);
      return { keys: full, next: full[full.length - 1] };
    });
  }

  allocate(counter: string, count: number): Promise<AllocatedRange> {
    return this.allocateWithRequestId(counter, count, randomUUID());
  }

  allocateWithRequestId(counter: string, count: number, requestId: string): Promise<AllocatedRange> {
    return this.#call(async () => {
      checkAllocateCount(count);
      const args = [this.#keys.counter(counter), this.#keys.request(requestId), count, this.#requestTtl()];
      const [first = 0, last = 0] = await this.#replicated(
        (c) => c.idnAllocate(...args),
        (pipe, need, waitMs) => {
          void (pipe as unknown as ScriptCommands).idnAllocate(...args);
          pipe.call('WAIT', need, waitMs);
        },
      );
      return { first, last };
    });
  }

  changesSince(afterSeq: number, limit: number): Promise<readonly ChangeEntry[]> {
    return this.#call(async () => {
      checkAfterSeq(afterSeq);
      checkChangesLimit(limit);
      // Right behind this process's own commits (the audit, the sync sender): no XRANGE, no parse;
      // a full page needs no round trip at all (each seq is written once: those ARE the entries).
      const full = this.#recent.page(afterSeq, limit, afterSeq + limit);
      if (full !== undefined) return full;
      const recent = await this.#recentPage(afterSeq, limit, Number((await this.#conn.get(this.#keys.seq)) ?? 0));
      if (recent !== undefined) return recent;
      const rows = await this.#conn.xrange(this.#keys.log, `${afterSeq + 1}-0`, '+', 'COUNT', limit);
      return rows.map(([, fields]) => JSON.parse(fields[1] ?? 'null') as ChangeEntry);
    });
  }

  /**
   * The page from #recent if it holds every seq up to `last` (read from Redis just before). A
   * reader right behind a bulk import (the audit) meets seqs that Redis has numbered but whose
   * commit reply this process has not handled yet: those commits started before `last` was read,
   * so wait for them, oldest first, instead of reading and parsing the same entries back.
   */
  async #recentPage(afterSeq: number, limit: number, last: number): Promise<ChangeEntry[] | undefined> {
    for (const committing of [...this.#committing]) {
      const page = this.#recent.page(afterSeq, limit, last);
      if (page !== undefined) return page;
      await committing.catch(() => undefined);
    }
    return this.#recent.page(afterSeq, limit, last);
  }

  lastSeq(): Promise<number> {
    return this.#call(async () => Number((await this.#conn.get(this.#keys.seq)) ?? 0));
  }

  historyOf(key: string, page: { readonly before?: number; readonly limit: number }): Promise<HistoryPage> {
    return this.#call(async () => {
      checkHistoryLimit(page.limit);
      checkBefore(page.before);
      const max = page.before === undefined ? '+inf' : `(${page.before}`;
      const seqs = await this.#conn.zrevrangebyscore(this.#keys.history(key), max, '-inf', 'LIMIT', 0, page.limit + 1);
      const shown = seqs.slice(0, page.limit);
      if (shown.length === 0) return { entries: [] };
      const pipe = this.#conn.pipeline();
      for (const seq of shown) pipe.xrange(this.#keys.log, `${seq}-0`, `${seq}-0`);
      const replies = (await pipe.exec()) ?? [];
      const entries = replies.flatMap(([err, rows]) => {
        if (err) throw err;
        return (rows as [string, string[]][]).map(([, fields]) => JSON.parse(fields[1] ?? 'null') as ChangeEntry);
      });
      const last = entries.at(-1);
      return seqs.length > page.limit && last !== undefined ? { entries, next: last.seq } : { entries };
    });
  }

  /**
   * Indexes the change-log entries a store written before the history index existed lacks (once,
   * when a store opens; ZADD is idempotent, so instances opening together do no harm). Entries
   * committed meanwhile are indexed by their commit; the last step records that all are.
   */
  async indexHistory(): Promise<void> {
    const k = this.#keys;
    const [from, until] = (await this.#conn.mget(k.historyTo, k.seq)).map((x) => Number(x ?? 0)) as [number, number];
    if (from >= until) return;
    for (let after = from; after < until;) {
      const rows = await this.#conn.xrange(k.log, `${after + 1}-0`, `${until}-0`, 'COUNT', BACKFILL_PAGE);
      if (rows.length === 0) break;
      const pipe = this.#conn.pipeline();
      for (const [, fields] of rows) {
        const e = JSON.parse(fields[1] ?? 'null') as ChangeEntry;
        pipe.zadd(k.history(e.key), e.seq, String(e.seq));
        after = e.seq;
      }
      for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
    }
    await this.#conn.idnHistoryDone(k.historyTo, k.seq, until);
  }

  /** Called once when the connection to our keys is lost (its recovery is `onReconnect`). */
  onConnectionLost(cb: () => void): () => void {
    this.#events.on('lost', cb);
    return () => void this.#events.off('lost', cb);
  }

  onReconnect(cb: () => void): () => void {
    this.#events.on('reconnect', cb);
    return () => void this.#events.off('reconnect', cb);
  }

  async subscribeInvalidations(cb: (key: string) => void, onGap?: () => void): Promise<() => Promise<void>> {
    const conn: Conn = this.#conn;
    // The subscriber connection is in subscribe mode: no auto-pipelining there.
    const sub: Conn = conn instanceof Cluster ? conn.duplicate() : conn.duplicate({ enableAutoPipelining: false });
    sub.on('error', () => undefined);
    sub.on('message', (_channel: string, message: string) => {
      const { origin, keys } = decodeInvalidation(message);
      // Our own commits were announced locally by the writer (RecordService) already.
      if (origin === this.#origin) return;
      for (const key of keys) cb(key);
    });
    let lost = false;
    sub.on('close', () => (lost = true));
    sub.on('ready', () => {
      if (lost && onGap) onGap();
      lost = false;
    });
    try {
      // The copy inherits lazyConnect and the disabled offline queue: connect before subscribing.
      await withDeadline(sub.connect(), this.#timeoutMs * 3);
      await withDeadline(sub.subscribe(this.#keys.invalidations), this.#timeoutMs * 3);
    } catch (e) {
      sub.disconnect();
      throw toStoreError(e);
    }
    return async () => {
      await sub.quit().catch(() => sub.disconnect());
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#pending);
    this.#events.removeAllListeners();
    try {
      await withDeadline(this.#conn.quit(), this.#timeoutMs);
    } catch {
      // Redis is gone anyway: drop the socket and stop reconnecting.
      this.#conn.disconnect();
    }
  }

  /** Runs one store call: refused after close, tracked for close(), bounded, errors mapped. */
  #call<T>(fn: () => Promise<T>, scale = 1): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new IdnError('IDN_ERR_STORE_UNAVAILABLE', 'The store is closed.'));
    }
    const done = withDeadline(
      fn(),
      // A write is a read plus a script (plus WAIT): allow each its own timeout.
      3 * this.#timeoutMs * scale + DEADLINE_MARGIN_MS,
    ).catch((e: unknown) => {
      this.#refreshSlots(e);
      throw toStoreError(e);
    });
    this.#pending.add(done);
    const forget = (): void => void this.#pending.delete(done);
    done.then(forget, forget);
    return done;
  }

  async #read(key: string): Promise<StoredRecord | undefined> {
    return parseRecord(await this.#conn.hget(this.#keys.record(key), 'd'));
  }

  /** The stored records of `keys` (distinct), read in one round trip (one slot: one pipeline or script). */
  async #readMany(keys: readonly string[]): Promise<Map<string, StoredRecord | undefined>> {
    if (keys.length === 0) return new Map();
    if (keys.length === 1) return new Map([[keys[0]!, await this.#read(keys[0]!)]]);
    const found = keys.length >= READ_SCRIPT_MIN_KEYS ? await this.#readScripted(keys) : await this.#readPiped(keys);
    return new Map(keys.map((key, i) => [key, parseRecord(found[i])]));
  }

  async #readPiped(keys: readonly string[]): Promise<unknown[]> {
    const pipe = this.#conn.pipeline();
    for (const key of keys) pipe.hget(this.#keys.record(key), 'd');
    const replies = (await pipe.exec()) ?? [];
    return keys.map((_, i) => {
      const [err, json] = replies[i] ?? [new Error('empty pipeline reply'), null];
      if (err) throw err;
      return json;
    });
  }

  #readScripted(keys: readonly string[]): Promise<unknown[]> {
    const args = [keys.length, ...keys.map((k) => this.#keys.record(k))];
    return this.#evalScript(READ_MANY_LUA, READ_MANY_SHA, args, this.#timeoutMs * timeoutScale(keys.length));
  }

  /** A commit, tracked while in flight (see #recentPage). */
  #commit(ops: readonly StoreOp[], meta: ChangeMeta, tagErrors: boolean): Promise<StoredRecord[]> {
    const done = this.#optimisticCommit(ops, meta, tagErrors);
    this.#committing.add(done);
    const forget = (): void => void this.#committing.delete(done);
    done.then(forget, forget);
    return done;
  }

  /**
   * Optimistic commit: read every key, judge the ops in order with the shared rules (a later op on
   * a key sees the earlier op's result), then commit with the compare-and-set script. On a race
   * (someone wrote in between) read and judge again, so the rules always judge the records the
   * commit replaces. One request id per call keeps a re-send harmless.
   *
   * A key whose first op is a create (expectAbsent) is not read on the first attempt: the rules
   * judge it absent, and the script checks exactly that (version 0). If it exists after all, the
   * script reports a race and the next attempt reads it and judges again (ALREADY_EXISTS). A bulk
   * registration's chunk thus reads nothing here: RecordService read its keys while planning.
   */
  async #optimisticCommit(ops: readonly StoreOp[], meta: ChangeMeta, tagErrors: boolean): Promise<StoredRecord[]> {
    checkCommitSize(ops);
    if (ops.length === 0) return [];
    const requestId = randomUUID();
    const distinct = [...new Set(ops.map((o) => o.key))];
    const creates = createdKeys(ops);
    const counterNames = [...new Set(ops.flatMap((o) => (o.op === 'allocate' ? [o.counter] : [])))];
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const toRead = attempt === 0 ? distinct.filter((k) => !creates.has(k)) : distinct;
      const [read, counters] = await Promise.all([this.#readMany(toRead), this.#readCounters(counterNames)]);
      const stored = attempt === 0 ? withAbsent(read, creates) : read;
      const decided = decideAll(ops, stored, counters, new Date().toISOString(), tagErrors);
      const args = this.#commitArgs(ops, stored, decided, meta, requestId, counters);
      const [ok, last = 0] = await this.#runCommit(args, timeoutScale(ops.length));
      if (ok === 1) {
        // The script numbered the ops last - n + 1 .. last: the entries it appended, as objects.
        const first = last - ops.length + 1;
        this.#recent.add(
          ops.map((o, i) => changeEntry(first + i, o.key, decided[i]!.op, decided[i]!.record, o.meta ?? meta)),
        );
        return decided.map((d) => d.record);
      }
    }
    throw new IdnError('IDN_ERR_STORE_UNAVAILABLE', 'Too many concurrent writes to one identifier.', {
      key: distinct[0],
    });
  }

  /**
   * The commit script, one path for every commit: a single-record write and a 2,000-line import
   * chunk send the same EVALSHA (EVAL once after a NOSCRIPT), with a deadline scaled to the size
   * (see OPS_PER_TIMEOUT; a single write keeps the configured one).
   */
  #runCommit(args: ScriptArg[], scale: number): Promise<number[]> {
    return this.#runScript(COMMIT_LUA, COMMIT_SHA, args, this.#timeoutMs * scale);
  }

  /** Runs a script by its sha (EVAL on NOSCRIPT); with `waitReplicas`, EVAL + WAIT in one pipeline. */
  #runScript(lua: string, sha: string, args: ScriptArg[], ms: number): Promise<number[]> {
    return this.#replicated(
      () => this.#evalScript(lua, sha, args, ms),
      (pipe, need, waitMs) => {
        // WAIT queues behind the script: its timer must cover the script's time too.
        pipe.sendCommand(timedCommand('eval', lua, args, ms));
        pipe.sendCommand(timedCommand('wait', need, [waitMs], ms + waitMs));
      },
    );
  }

  /** EVALSHA, and EVAL once when Redis does not have the script (restarted, SCRIPT FLUSH). */
  async #evalScript<T = number[]>(lua: string, sha: string, args: ScriptArg[], ms: number): Promise<T> {
    try {
      return await this.#sendTimed<T>('evalsha', sha, args, ms);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.includes('NOSCRIPT')) throw e;
      return this.#sendTimed<T>('eval', lua, args, ms);
    }
  }

  /** ioredis arms its commandTimeout only on a command without a timer: ours is armed first. */
  #sendTimed<T>(name: 'eval' | 'evalsha', script: string, args: ScriptArg[], ms: number): Promise<T> {
    return this.#conn.sendCommand(timedCommand(name, script, args, ms)) as Promise<T>;
  }

  /** The current values of the counters allocate ops reserve from (0 when never used). */
  async #readCounters(names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const values = await this.#conn.mget(...names.map((n) => this.#keys.counter(n)));
    return new Map(names.map((n, i) => [n, Number(values[i] ?? 0)]));
  }

  #commitArgs(
    ops: readonly StoreOp[],
    stored: ReadonlyMap<string, StoredRecord | undefined>,
    decided: readonly Decided[],
    meta: ChangeMeta,
    requestId: string,
    counters: ReadonlyMap<string, number>,
  ): ScriptArg[] {
    const k = this.#keys;
    const recordKeys = ops.map((o) => k.record(o.key));
    const perOp: ScriptArg[] = [];
    const checked = new Set<string>();
    ops.forEach((o, i) => {
      const { op, record } = decided[i]!;
      // Only the first op on a key is compared with Redis; later ones build on it inside the script.
      const read = checked.has(o.key) ? -1 : (stored.get(o.key)?.version ?? 0);
      checked.add(o.key);
      // The script assigns seq and appends the record; the entry is sent without them and its braces.
      const { seq: _seq, record: _record, ...head } = changeEntry(0, o.key, op, record, o.meta ?? meta);
      perOp.push(read, record.version, JSON.stringify(record), JSON.stringify(head).slice(1, -1), o.key);
      perOp.push(op === 'put' ? '1' : '0');
    });
    // Each counter: the value read, and the value after the last range this commit reserves from it.
    const after = new Map(counters);
    for (const d of decided) if (d.range !== undefined && d.counter !== undefined) after.set(d.counter, d.range.last);
    const names = [...counters.keys()];
    return [
      COMMIT_FIXED_KEYS + 2 * ops.length + names.length,
      k.index,
      k.seq,
      k.log,
      k.request(requestId),
      k.historyTo,
      ...recordKeys,
      ...ops.map((o) => k.history(o.key)),
      ...names.map((n) => k.counter(n)),
      this.#requestTtl(),
      this.#opts.publishInvalidations === false ? '' : k.invalidations,
      ops.length,
      this.#opts.publishInvalidations === false
        ? ''
        : encodeInvalidation(this.#origin, [...new Set(ops.map((o) => o.key))]),
      ...perOp,
      names.length,
      ...names.flatMap((n) => [counters.get(n)!, after.get(n)!]),
    ];
  }

  /**
   * Runs a script; with `waitReplicas`, pipelines WAIT right behind it. The pipeline keeps both on
   * the same connection (in a Cluster, WAIT has no key and would otherwise go to a random node).
   * Fewer confirmations than asked is an error: the write happened but is not acknowledged.
   */
  async #replicated(
    direct: (c: ScriptCommands) => Promise<number[]>,
    queue: (pipe: TimedPipeline, need: number, waitMs: number) => void,
  ): Promise<number[]> {
    const need = this.#opts.waitReplicas ?? 0;
    if (need <= 0) return direct(this.#conn);
    const waitMs = this.#opts.waitTimeoutMs ?? Math.floor(this.#timeoutMs / 2);
    const pipe = this.#conn.pipeline() as TimedPipeline;
    queue(pipe, need, waitMs);
    const [scriptReply, waitReply] = (await pipe.exec()) ?? [];
    if (!scriptReply || scriptReply[0]) throw scriptReply?.[0] ?? new Error('empty pipeline reply');
    const result = scriptReply[1] as number[];
    if (waitReply?.[0]) throw waitReply[0];
    const acked = Number(waitReply?.[1] ?? 0);
    if (acked < need) {
      throw new IdnError('IDN_ERR_STORE_UNAVAILABLE', 'The write was not confirmed by enough replicas.', {
        replicas: acked,
        required: need,
      });
    }
    return result;
  }

  /** In a Cluster, a timeout or lost connection may mean a failover: re-read the slot map now. */
  #refreshSlots(e: unknown): void {
    if (!(this.#conn instanceof Cluster) || (isIdnError(e) && e.code !== 'IDN_ERR_STORE_UNAVAILABLE')) return;
    this.#conn.refreshSlotsCache();
  }

  #requestTtl(): number {
    return this.#opts.requestTtlSec ?? 120;
  }

  /**
   * Turns connection loss + recovery into one 'reconnect' event; an 'error' listener keeps the
   * process alive. "Back" is only a hint ('+node' fires as soon as a Cluster re-adds a node's
   * address, even one still dead): the event waits until a call on our slot succeeds, so a cache
   * dropped on it is not dropped while the store still cannot refill it.
   */
  #watchConnection(): void {
    const lost = (): void => {
      // What this instance committed may be gone with the server (AOF everysec): serve none of it.
      this.#recent.clear();
      if (!this.#lost && !this.#closed) this.#events.emit('lost');
      this.#lost = true;
    };
    const back = (): void => void this.#confirmBack();
    this.#conn.on('error', () => undefined);
    this.#conn.on('close', lost);
    this.#conn.on('ready', back);
    if (this.#conn instanceof Cluster) this.#watchSlotMaster(this.#conn, lost, back);
  }

  /**
   * A Cluster stays "ready" while one master fails over; watch the node connections instead, but
   * only the master(s) that have served our slot: a replica, another master, or a connection the
   * pool merely recreated (its replacement is already in place) is no loss, and treating it as one
   * would drop every cache on the namespace for nothing.
   */
  #watchSlotMaster(conn: Cluster, lost: () => void, back: () => void): void {
    const slot = calculateSlot(this.#keys.seq);
    const masters = new Set<string>();
    const remember = (): void => {
      const key = conn.slots[slot]?.[0];
      if (key !== undefined) masters.add(key);
    };
    const ourNodeLost = (key: string): void => {
      remember();
      const stillConnected = conn.nodes('all').some((n) => `${n.options.host}:${n.options.port}` === key);
      if (masters.has(key) && !stillConnected) lost();
    };
    conn.on('ready', remember);
    conn.on('refresh', remember);
    conn.on('node error', (_e: unknown, key: string) => {
      remember();
      if (masters.has(key)) lost();
    });
    conn.on('-node', (redis: Redis) => ourNodeLost(`${redis.options.host}:${redis.options.port}`));
    conn.on('+node', back);
  }

  /** Probes the slot of our keys until it answers (or the store closes), then emits 'reconnect' once. */
  async #confirmBack(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    try {
      while (this.#lost && !this.#closed) {
        const ok = await withDeadline(this.#conn.exists(this.#keys.seq), this.#timeoutMs + DEADLINE_MARGIN_MS).then(
          () => true,
          () => false,
        );
        if (ok && this.#lost && !this.#closed) {
          this.#lost = false;
          // A restarted Redis may have lost its last second (AOF everysec) and number anew.
          this.#recent.clear();
          this.#events.emit('reconnect');
          return;
        }
        if (!ok) await new Promise((r) => setTimeout(r, RECONNECT_PROBE_MS).unref());
      }
    } finally {
      this.#probing = false;
    }
  }
}

interface Decided {
  readonly op: ChangeOp;
  readonly record: StoredRecord;
  /** Allocate ops: the counter and the range reserved from it. */
  readonly counter?: string;
  readonly range?: AllocatedRange;
}

/**
 * Judges the ops in order against the records and counters read, each later op seeing the
 * earlier ops' results (two allocations from one counter get consecutive ranges).
 */
function timeoutScale(opCount: number): number {
  return Math.max(1, Math.ceil(opCount / OPS_PER_TIMEOUT));
}

const parseRecord = (json: unknown): StoredRecord | undefined =>
  typeof json === 'string' ? (JSON.parse(json) as StoredRecord) : undefined;

/** A pipeline that takes ready-made commands (ioredis has the method, its types do not). */
type TimedPipeline = ChainableCommander & { sendCommand(c: Command): unknown };

function timedCommand(name: string, first: ScriptArg, args: ScriptArg[], ms: number): Command {
  // Strings, as ioredis's own commands answer (a bare Command answers bulk strings as Buffers).
  const cmd = new Command(name, [first, ...args], { replyEncoding: 'utf8' });
  cmd.setTimeout(ms);
  return cmd;
}

/** The keys whose first op in the commit creates them (a put expecting the key absent). */
function createdKeys(ops: readonly StoreOp[]): Set<string> {
  const seen = new Set<string>();
  const creates = new Set<string>();
  for (const o of ops) {
    if (seen.has(o.key)) continue;
    seen.add(o.key);
    if (o.op === 'put' && o.cond !== undefined && 'expectAbsent' in o.cond) creates.add(o.key);
  }
  return creates;
}

function withAbsent(read: Map<string, StoredRecord | undefined>, absent: ReadonlySet<string>) {
  for (const k of absent) read.set(k, undefined);
  return read;
}

function decideAll(
  ops: readonly StoreOp[],
  stored: ReadonlyMap<string, StoredRecord | undefined>,
  counters: ReadonlyMap<string, number>,
  now: string,
  tagErrors: boolean,
): Decided[] {
  const view = new Map(stored);
  const counterView = new Map(counters);
  return ops.map((o, i) => {
    try {
      const counter = o.op === 'allocate' ? (counterView.get(o.counter) ?? 0) : 0;
      const d = decideOp(view.get(o.key), o, now, counter);
      view.set(o.key, d.record);
      if (o.op !== 'allocate') return d;
      counterView.set(o.counter, d.range!.last);
      return { ...d, counter: o.counter };
    } catch (e) {
      throw tagErrors ? atOp(e, i) : e;
    }
  });
}

/** Exclusive after the cursor when it lies inside the prefix range, else from the prefix itself. */
function lexStart(keyPrefix: string, after: string | undefined): Buffer {
  const prefix = Buffer.from(keyPrefix);
  if (after !== undefined) {
    const cursor = Buffer.from(after);
    if (Buffer.compare(cursor, prefix) > 0) return Buffer.concat([Buffer.from('('), cursor]);
  }
  return Buffer.concat([Buffer.from('['), prefix]);
}
