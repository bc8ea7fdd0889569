--[[ recover.lua: tasks of one queue whose lease expired go back to pending, or dead (docs/spi.md "recoverExpired").

Each: leaseExpirations += 1, a 'lease-expired' error appended, failed total += 1; then dead as POISON
when leaseExpirations >= max, dead as FAILED when attempt >= maxAttempts, else pending with runAt = now.
KEYS: 1 P:{Q}:active  2 P:{Q}:pending  3 P:{Q}:dead  4 P:{Q}:expiry  5 P:{Q}:stats
      6 P:{Q}:t: (task hash prefix)  7 P:{Q}:wake (channel)  8 P:{Q}:ready (list as long as pending; lib/ready.lua)
ARGV: 1 now ms or '' (server TIME)  2 max lease expirations  3 limit
Returns: {requeued, dead, {unique key, holder id, ...} of dead tasks (released by the caller)}
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local BAND = 70368744177664
--#include ready

local now = clock()
local maxLe, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local requeued, dead, unique = 0, 0, {}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
for _, member in ipairs(due) do
  local id = string.sub(member, 15)
  local tkey = KEYS[6] .. id
  redis.call('ZREM', KEYS[1], member)
  local v = redis.call('HMGET', tkey, 'a', 'ma', 'w', 'pr', 'dt', 'u')
  if v[1] then
    local attempt = tonumber(v[1])
    local le = redis.call('HINCRBY', tkey, 'le', 1)
    local err = string.format('{"a":%d,"t":"lease-expired","m":%s,"s":"","at":%d}',
      attempt, cjson.encode('lease expired (worker ' .. (v[3] or '') .. ')'), now)
    local ec = redis.call('HINCRBY', tkey, 'ec', 1)
    redis.call('HSET', tkey, 'e' .. ((ec - 1) % 10), err)
    redis.call('HDEL', tkey, 'l')
    redis.call('HINCRBY', KEYS[5], 'failed', 1)
    local reason = nil
    if le >= maxLe then reason = 'POISON' elseif attempt >= tonumber(v[2]) then reason = 'FAILED' end
    if reason then
      local x = now + tonumber(v[5])
      redis.call('HSET', tkey, 's', 'D', 'dr', reason, 'f', now, 'x', x)
      redis.call('ZADD', KEYS[3], now, member)
      redis.call('ZADD', KEYS[4], x, member)
      redis.call('HINCRBY', KEYS[5], 'dead', 1)
      if reason == 'POISON' then redis.call('HINCRBY', KEYS[5], 'poisoned', 1) end
      if v[6] then unique[#unique + 1] = v[6]; unique[#unique + 1] = id end
      dead = dead + 1
    else
      redis.call('HSET', tkey, 's', 'P', 'r', now)
      local r = now
      if r >= BAND then r = BAND - 1 end
      redis.call('ZADD', KEYS[2], tonumber(v[4]) * BAND + r, member)
      requeued = requeued + 1
    end
  end
end
if requeued > 0 then
  sync_ready(KEYS[2], KEYS[8])
  redis.call('PUBLISH', KEYS[7], 'recover')
end
return {requeued, dead, unique}
