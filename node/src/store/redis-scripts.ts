/*
 * Lua run by the Redis store. Each script is atomic (Redis runs it with everything else blocked)
 * and follows "validate first, write last": Lua has no rollback, so no write happens before the
 * last check. Every script takes a request id and records its answer under it for a while: ioredis
 * re-sends a command whose reply was lost on reconnect, and the re-send must answer the same
 * instead of writing (or allocating) a second time.
 */

/**
 * Conditional record write + index update + seq bump + change-log append + invalidation publish.
 *
 * The write rules (versions, tombstones, which error) run in TypeScript via record-transitions.ts,
 * against the record as read; this script is the compare-and-set that makes that decision valid:
 * it commits only if the stored version is still the one the rules saw. A version identifies one
 * state of a key (every write bumps it, tombstones included), so "same version" means "same
 * record", and the rules need not be duplicated in Lua.
 *
 * KEYS: 1 record, 2 index, 3 seq, 4 log, 5 request id
 * ARGV: 1 version read (0 = absent), 2 new version, 3 record JSON, 4 change entry JSON without its
 *       leading "{" and without seq, 5 identifier key, 6 "1" live / "0" tombstone, 7 request TTL s,
 *       8 invalidation channel ("" = none)
 * Returns {1, seq} when written (or already written by this request id), {0, actualVersion} on a
 * version race.
 */
export const WRITE_RECORD_LUA = `
local done = redis.call('GET', KEYS[5])
if done then return {1, tonumber(done)} end
local actual = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if actual ~= tonumber(ARGV[1]) then return {0, actual} end
local seq = redis.call('INCR', KEYS[3])
local id = string.format('%d', seq)
redis.call('XADD', KEYS[4], id .. '-0', 'e', '{"seq":' .. id .. ',' .. ARGV[4])
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[2], 0, ARGV[5])
else
  redis.call('ZREM', KEYS[2], ARGV[5])
end
redis.call('SET', KEYS[5], id, 'EX', ARGV[7])
if ARGV[8] ~= '' then redis.call('PUBLISH', ARGV[8], ARGV[5]) end
return {1, seq}
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
