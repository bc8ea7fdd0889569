--[[ cancel.lua: cancel one task (docs/spi.md "admin Cancel").

Pending, scheduled or retrying: cancelled now (finishedAt, expiresAt = now + retention).
Active: cancelRequested = 1, the worker learns it at its next renew. Finished or missing: nothing.
KEYS: 1 P:{Q}:pending  2 P:{Q}:scheduled  3 P:{Q}:retrying  4 P:{Q}:cancelled  5 P:{Q}:expiry
      6 P:{Q}:t:<id> (the task hash)  7 P:{Q}:ready (list as long as pending; lib/ready.lua)
ARGV: 1 now ms or '' (server TIME)  2 task id
Returns: {affected (0/1), unique key to release or ''}
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
--#include ready

local now = clock()
local sets = {P = 1, S = 2, R = 3}
local v = redis.call('HMGET', KEYS[6], 's', 'sq', 'pr', 'rt', 'u')
if v[1] == 'A' then
  redis.call('HSET', KEYS[6], 'cr', 1)
  return {1, ''}
end
if not v[1] or not sets[v[1]] then return {0, ''} end
local member = string.format('%012x%02x', tonumber(v[2]), tonumber(v[3])) .. ARGV[2]
local x = now + tonumber(v[4])
redis.call('ZREM', KEYS[sets[v[1]]], member)
redis.call('HSET', KEYS[6], 's', 'X', 'f', now, 'x', x)
redis.call('ZADD', KEYS[4], now, member)
redis.call('ZADD', KEYS[5], x, member)
if v[1] == 'P' then sync_ready(KEYS[1], KEYS[7]) end
return {1, v[5] or ''}
