import { IdnError } from '../errors/idn-error.ts';

/*
 * Key layout of the Redis store. Every key of one store carries the SAME hash tag, `{<namespace>}`,
 * so records, the listing index, counters, the change log and its seq all live in one Cluster slot.
 *
 * Why one slot: the Store contract promises ONE gap-free, increasing `seq` over all keys, written
 * atomically with the record it describes. Redis runs a Lua script atomically only over keys of a
 * single slot, so "record in slot A + seq/log in slot B" cannot be one atomic step; a per-prefix
 * hash tag would force per-prefix logs and a per-shard cursor in `changesSince` (an interface
 * change). The price is honest and stated: in a Cluster one store uses one master (plus its
 * replicas for failover); it does not spread writes over masters. To scale out, run several stores
 * (namespaces) or move to per-prefix logs with a vector cursor.
 *
 * The tag is the configured namespace, never user text, and it comes first in every key: Redis
 * hashes the first `{...}` of a key name, so a `{` or `}` in a suffix cannot choose the slot.
 */

const NAMESPACE = /^[A-Za-z0-9._-]{1,64}$/;

export interface RedisKeys {
  /** HASH { v: version, d: StoredRecord JSON } per identifier key. */
  record(key: string): string;
  /** ZSET of live identifier keys, all score 0, for ZRANGEBYLEX cursor paging. */
  readonly index: string;
  /** STRING: the last change-log seq (INCR). */
  readonly seq: string;
  /** STREAM: one entry per change with explicit id `<seq>-0`, field `e` = ChangeEntry JSON. */
  readonly log: string;
  /** ZSET per identifier key: the seqs of its change-log entries (score = member = seq). */
  history(key: string): string;
  /** STRING: every change-log entry up to this seq is in the history ZSETs. */
  readonly historyTo: string;
  /** STRING counter for `allocate`. */
  counter(name: string): string;
  /** STRING remembering the outcome of one request id, so a re-sent script answers the same. */
  request(id: string): string;
  /** Pub/sub channel carrying the key of every committed write (cache invalidation). */
  readonly invalidations: string;
}

export function redisKeys(namespace: string): RedisKeys {
  if (!NAMESPACE.test(namespace)) {
    throw new IdnError('IDN_ERR_STORE_UNAVAILABLE', 'The Redis key prefix must match [A-Za-z0-9._-]{1,64}.', {
      keyPrefix: namespace,
    });
  }
  const base = `${namespace}:{${namespace}}:`;
  return {
    record: (key) => `${base}r:${key}`,
    index: `${base}ix`,
    seq: `${base}seq`,
    log: `${base}log`,
    history: (key) => `${base}h:${key}`,
    historyTo: `${base}hto`,
    counter: (name) => `${base}c:${name}`,
    request: (id) => `${base}q:${id}`,
    invalidations: `${namespace}:invalidate`,
  };
}
