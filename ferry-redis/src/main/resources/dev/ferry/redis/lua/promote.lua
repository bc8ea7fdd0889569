--[[ promote.lua: due scheduled and retrying tasks of one queue become pending (docs/spi.md "promote").
They are scored by runAt, tenanted or not: a fair position is given only by enqueue.lua.

KEYS: 1 P:{Q}:pending  2 P:{Q}:scheduled  3 P:{Q}:retrying  4 P:{Q}:t: (task hash prefix)  5 P:{Q}:wake
      6 P:{Q}:ready (list as long as pending; lib/ready.lua)
ARGV: 1 now ms or '' (server TIME)  2 limit
Returns: the number of tasks promoted
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local BAND = 70368744177664
--#include ready

local now = clock()
local left = tonumber(ARGV[2])
local promoted = 0
for s = 2, 3 do
  if left <= 0 then break end
  local due = redis.call('ZRANGEBYSCORE', KEYS[s], '-inf', now, 'WITHSCORES', 'LIMIT', 0, left)
  for i = 1, #due, 2 do
    local member, runAt = due[i], tonumber(due[i + 1])
    local prio = tonumber(string.sub(member, 13, 14), 16)
    if runAt < 0 then runAt = 0 elseif runAt >= BAND then runAt = BAND - 1 end
    redis.call('ZREM', KEYS[s], member)
    redis.call('HSET', KEYS[4] .. string.sub(member, 15), 's', 'P')
    redis.call('ZADD', KEYS[1], prio * BAND + runAt, member)
    promoted = promoted + 1
    left = left - 1
  end
end
if promoted > 0 then
  sync_ready(KEYS[1], KEYS[6])
  redis.call('PUBLISH', KEYS[5], 'promote')
end
return promoted
