--[[ release.lua: give valid leases of one queue back without counting the attempt (docs/spi.md "release").

The task returns to pending with its runAt unchanged, so it keeps its place in claim order: scored
by runAt, also when it has a tenant (a fair position lives only from enqueue; docs/spi.md).
KEYS: 1 P:{Q}:active  2 P:{Q}:pending  3 P:{Q}:t: (task hash prefix)  4 P:{Q}:wake (channel)
      5 P:{Q}:ready (list as long as pending; lib/ready.lua)
ARGV: 1 now ms or '' (server TIME), then pairs: task id, token
Returns: the number of leases released
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local BAND = 70368744177664
local function claim_score(prio, runAt)
  if runAt < 0 then runAt = 0 elseif runAt >= BAND then runAt = BAND - 1 end
  return prio * BAND + runAt
end
--#include ready

local now = clock()
local released = 0
for i = 2, #ARGV, 2 do
  local id, token = ARGV[i], tonumber(ARGV[i + 1])
  local tkey = KEYS[3] .. id
  local v = redis.call('HMGET', tkey, 's', 'tk', 'l', 'sq', 'pr', 'r')
  if v[1] == 'A' and tonumber(v[2]) == token and tonumber(v[3]) > now then
    local prio = tonumber(v[5])
    local member = string.format('%012x%02x', tonumber(v[4]), prio) .. id
    redis.call('ZREM', KEYS[1], member)
    redis.call('HSET', tkey, 's', 'P')
    redis.call('HINCRBY', tkey, 'a', -1)
    redis.call('HDEL', tkey, 'l')
    redis.call('ZADD', KEYS[2], claim_score(prio, tonumber(v[6])), member)
    released = released + 1
  end
end
if released > 0 then
  sync_ready(KEYS[2], KEYS[5])
  redis.call('PUBLISH', KEYS[4], 'release')
end
return released
