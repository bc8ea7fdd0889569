--[[ permit_acquire.lua: hold a slot of a counting semaphore (docs/spi.md "permits", Acquire).

Holders whose expiry <= now are gone (removed here). When the holder already holds a slot, or fewer
than limit holders are left, it holds one until now + ttl: granted. Else denied with the earliest
expiry. The key expires with its last holder, so an abandoned semaphore goes away by itself.
KEYS: 1 P:s:{<name>} (zset: holder -> expiry ms)
ARGV: 1 now ms or '' (server TIME)  2 limit  3 holder  4 ttl ms
Returns: {1, 0} granted, or {0, retryAt ms} denied
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local now = clock()
local limit, holder, ttl = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], holder) or redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + ttl, holder)
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  -- As in permit_take.lua: with a test clock, keep the key a minute longer than its last holder.
  local keep = tonumber(last[2]) - now
  if ARGV[1] ~= '' then keep = keep + 60000 end
  redis.call('PEXPIRE', KEYS[1], math.max(keep, 1))
  return {1, 0}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(first[2])}
