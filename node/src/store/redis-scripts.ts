/*
 * Lua run by the Redis store. Each script is atomic (Redis runs it with everything else blocked)
 * and follows "validate first, write last": Lua has no rollback, so no write happens before the
 * last check. Every script takes a request id and records its answer under it for a while: ioredis
 * re-sends a command whose reply was lost on reconnect, and the re-send must answer the same
 * instead of writing (or allocating) a second time.
 */

/**
 * One commit: every record write + index update + its change-log entry + seq bump + invalidation
 * publish, atomically, all or nothing.
 *
 * The write rules (versions, tombstones, which error) run in TypeScript via record-transitions.ts,
 * against the records as read; this script is the compare-and-set that makes those decisions
 * valid: it commits only if every stored version is still the one the rules saw. A version
 * identifies one state of a key (every write bumps it, tombstones included), so "same version"
 * means "same record", and the rules need not be duplicated in Lua. All checks run before the
 * first write (Lua has no rollback).
 *
 * The listing index is updated once per commit, by each key's last op (a few ZADD/ZREM of many
 * keys each instead of one call per op: the calls out of Lua, not the writes, are its cost).
 *
 * Allocate ops reserve counter numbers the same way: the TypeScript side read the counter, chose
 * the range and built the record from it; the script commits only if the counter still has the
 * value read, and then sets it past the range.
 *
 * KEYS: 1 index, 2 seq, 3 log, 4 request id, 5 history-indexed-to, then one record key per op
 *       (5 + i for op i, 1-based), then one history ZSET per op (5 + n + i), then one key per
 *       counter allocated from (5 + 2n + j, 1-based)
 * ARGV: 1 request TTL s, 2 invalidation channel ("" = none), 3 op count n, 4 the invalidation
 *       message (every key of the commit and the writer's origin, built by the caller: ONE publish
 *       per commit, not one per key), then 6 per op from 5 + (i - 1) * 6: version read (0 = absent, -1 = not checked: a later op on a key already
 *       checked), new version, record JSON, change entry JSON without braces, seq and record,
 *       identifier key, "1" live / "0" tombstone; then at 5 + 6n the counter count m, then 2 per
 *       counter: the value read, the value to set
 * Returns {1, lastSeq} when written (or already written by this request id), {0, opIndex
 * (0-based), actualVersion} on a version race, {0, -j, actualValue} on a counter race.
 */
export const COMMIT_LUA = `
local done = redis.call('GET', KEYS[4])
if done then return {1, tonumber(done)} end
local n = tonumber(ARGV[3])
for i = 1, n do
  local expected = tonumber(ARGV[5 + (i - 1) * 6])
  if expected >= 0 then
    local actual = tonumber(redis.call('HGET', KEYS[5 + i], 'v') or '0')
    if actual ~= expected then return {0, i - 1, actual} end
  end
end
local cb = 5 + n * 6
local m = tonumber(ARGV[cb] or '0')
for j = 1, m do
  local actual = tonumber(redis.call('GET', KEYS[5 + 2 * n + j]) or '0')
  if actual ~= tonumber(ARGV[cb + 1 + (j - 1) * 2]) then return {0, -j, actual} end
end
for j = 1, m do redis.call('SET', KEYS[5 + 2 * n + j], ARGV[cb + 2 + (j - 1) * 2]) end
local indexed = tonumber(redis.call('GET', KEYS[5]) or '0') == tonumber(redis.call('GET', KEYS[2]) or '0')
local last = redis.call('INCRBY', KEYS[2], n)
local live, order = {}, {}
for i = 1, n do
  local b = 5 + (i - 1) * 6
  local id = string.format('%d', last - n + i)
  local rec = ARGV[b + 2]
  redis.call('XADD', KEYS[3], id .. '-0', 'e', '{"seq":' .. id .. ',' .. ARGV[b + 3] .. ',"record":' .. rec .. '}')
  redis.call('ZADD', KEYS[5 + n + i], id, id)
  redis.call('HSET', KEYS[5 + i], 'v', ARGV[b + 1], 'd', rec)
  local key = ARGV[b + 4]
  if live[key] == nil then order[#order + 1] = key end
  live[key] = ARGV[b + 5] == '1'
end
local add, rem = {}, {}
for _, key in ipairs(order) do
  if live[key] then
    add[#add + 1] = 0
    add[#add + 1] = key
  else
    rem[#rem + 1] = key
  end
end
for i = 1, #add, 1000 do redis.call('ZADD', KEYS[1], unpack(add, i, math.min(i + 999, #add))) end
for i = 1, #rem, 1000 do redis.call('ZREM', KEYS[1], unpack(rem, i, math.min(i + 999, #rem))) end
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[4]) end
if indexed then redis.call('SET', KEYS[5], string.format('%d', last)) end
redis.call('SET', KEYS[4], string.format('%d', last), 'EX', ARGV[1])
return {1, last}
`;

/**
 * Ends a history backfill (see RedisStore.indexHistory): the entries up to `ARGV[1]` were indexed
 * by the backfill and every later one by its commit, so the whole log is indexed now.
 * KEYS: 1 history-indexed-to, 2 seq. ARGV: 1 the last seq the backfill indexed.
 */
export const HISTORY_DONE_LUA = `
local to = tonumber(redis.call('GET', KEYS[1]) or '0')
if to < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], redis.call('GET', KEYS[2]) or '0') end
return 1
`;

/**
 * Idempotent range allocation: a plain INCRBY re-sent after a lost reply would hand out a second
 * range (and lose the first). KEYS: 1 counter, 2 request id. ARGV: 1 count, 2 request TTL s.
 * Returns {first, last}; a repeated request id returns the recorded range without counting again.
 */
export const ALLOCATE_LUA = `
local done = redis.call('GET', KEYS[2])
if done then
  local first, last = string.match(done, '^(%d+):(%d+)$')
  return {tonumber(first), tonumber(last)}
end
local count = tonumber(ARGV[1])
local last = redis.call('INCRBY', KEYS[1], count)
local first = last - count + 1
redis.call('SET', KEYS[2], string.format('%d:%d', first, last), 'EX', ARGV[2])
return {first, last}
`;

/**
 * Many records in one command (a bulk chunk plans against its 2,000 keys): a pipeline of HGETs
 * costs the client a command object, a promise, a timer and a reply parse per key, more than
 * Redis spends answering. Read-only (no-writes: still runs when Redis refuses writes, e.g. at
 * maxmemory, as HGET does). KEYS: record hashes. Returns each one's record JSON, nil if absent.
 */
export const READ_MANY_LUA = `#!lua flags=no-writes
local out = {}
for i = 1, #KEYS do out[i] = redis.call('HGET', KEYS[i], 'd') end
return out
`;
