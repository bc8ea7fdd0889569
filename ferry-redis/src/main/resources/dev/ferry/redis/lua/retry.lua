--[[ retry.lua: admin retry and dead-set replay of one queue (docs/spi.md "admin Retry / ReplayDead").

A dead, retrying, scheduled or cancelled task becomes pending now: attempt = 0, leaseExpirations = 0,
deadReason, finishedAt and expiresAt cleared, errors kept.
KEYS: 1 P:{Q}:pending  2 P:{Q}:scheduled  3 P:{Q}:retrying  4 P:{Q}:dead  5 P:{Q}:cancelled
      6 P:{Q}:expiry  7 P:{Q}:t: (task hash prefix)  8 P:{Q}:wake (channel)
      9 P:{Q}:ready (list as long as pending; lib/ready.lua)
ARGV: 1 now ms or '' (server TIME)  2 mode: 'id' (ARGV[3] = task id) or 'dead' (ARGV[3] = limit)
Returns: the number of tasks made pending
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local BAND = 70368744177664
--#include ready

local now = clock()
local sets = {S = 2, R = 3, D = 4, X = 5}

local function retry(id)
  local tkey = KEYS[7] .. id
  local v = redis.call('HMGET', tkey, 's', 'sq', 'pr')
  if not v[1] or not sets[v[1]] then return 0 end
  local prio = tonumber(v[3])
  local member = string.format('%012x%02x', tonumber(v[2]), prio) .. id
  redis.call('ZREM', KEYS[sets[v[1]]], member)
  redis.call('ZREM', KEYS[6], member)
  redis.call('HSET', tkey, 's', 'P', 'r', now, 'a', 0, 'le', 0)
  redis.call('HDEL', tkey, 'dr', 'f', 'x')
  local r = now
  if r >= BAND then r = BAND - 1 end
  redis.call('ZADD', KEYS[1], prio * BAND + r, member)
  return 1
end

local n = 0
if ARGV[2] == 'id' then
  n = retry(ARGV[3])
else
  local dead = redis.call('ZRANGE', KEYS[4], 0, tonumber(ARGV[3]) - 1)
  for _, member in ipairs(dead) do n = n + retry(string.sub(member, 15)) end
end
if n > 0 then
  sync_ready(KEYS[1], KEYS[9])
  redis.call('PUBLISH', KEYS[8], 'retry')
end
return n
