--[[ claim.lua: lease up to max ready tasks from the queues in the given order (docs/spi.md "claim").

Ready = pending, or scheduled/retrying with runAt <= now. Within a queue: priority asc, position asc
(the pending score: runAt, or the fair position enqueue.lua gave a tenanted task), sequence asc.
Due scheduled/retrying tasks compete in place by runAt without being promoted; at most
(need + 100) of them per set are considered, the promoter turns a larger due backlog pending.

KEYS: one block of 8 per queue, in claim order (one block in Redis Cluster, several in standalone):
  +1 P:{Q}:pending  +2 P:{Q}:scheduled  +3 P:{Q}:retrying  +4 P:{Q}:active (zset by lease expiry)
  +5 P:{Q}:seq (tokens: now ms * 1000 + counter mod 1000)  +6 P:{Q}:t: (task hash prefix)
  +7 P:{Q}:paused (flag; claims skip the queue)  +8 P:{Q}:ready (list as long as pending; lib/ready.lua)
ARGV: 1 now ms or '' (server TIME)  2 worker id  3 max  4 lease ms
Returns: 12 per claimed task, in claim order: block, id, token, type, payload, priority, attempt,
  maxAttempts, timeout ms, enqueuedAt ms, leaseExpiresAt ms, headers JSON (or '').
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
local worker, max, lease = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local out = {}
local taken = 0

for b = 1, #KEYS / 8 do
  if taken >= max then break end
  local k = (b - 1) * 8
  if redis.call('EXISTS', KEYS[k + 7]) == 0 then
    local need = max - taken
    local cand = {}
    local top = redis.call('ZRANGE', KEYS[k + 1], 0, need - 1, 'WITHSCORES')
    for i = 1, #top, 2 do cand[#cand + 1] = {tonumber(top[i + 1]), top[i], KEYS[k + 1]} end
    for s = 2, 3 do
      local due = redis.call('ZRANGEBYSCORE', KEYS[k + s], '-inf', now, 'WITHSCORES', 'LIMIT', 0, need + 100)
      for i = 1, #due, 2 do
        local prio = tonumber(string.sub(due[i], 13, 14), 16)
        cand[#cand + 1] = {claim_score(prio, tonumber(due[i + 1])), due[i], KEYS[k + s]}
      end
    end
    table.sort(cand, function(x, y)
      if x[1] ~= y[1] then return x[1] < y[1] end
      return x[2] < y[2]
    end)
    local until_ = now + lease
    for i = 1, math.min(need, #cand) do
      local member, set = cand[i][2], cand[i][3]
      local id = string.sub(member, 15)
      local tkey = KEYS[k + 6] .. id
      redis.call('ZREM', set, member)
      -- Tokens grow with the server clock, so a restart that lost the last second of writes (and
      -- rolled the counter back) can never hand out a token again that a live worker still holds.
      local token = now * 1000 + (redis.call('INCR', KEYS[k + 5]) % 1000)
      local attempt = redis.call('HINCRBY', tkey, 'a', 1)
      redis.call('HSET', tkey, 's', 'A', 'tk', token, 'l', until_, 'w', worker, 'st', now)
      redis.call('HDEL', tkey, 'cr')
      redis.call('ZADD', KEYS[k + 4], until_, member)
      local v = redis.call('HMGET', tkey, 'ty', 'p', 'pr', 'ma', 'to', 'e', 'h')
      out[#out + 1] = b
      out[#out + 1] = id
      out[#out + 1] = token
      out[#out + 1] = v[1]
      out[#out + 1] = v[2]
      out[#out + 1] = v[3]
      out[#out + 1] = attempt
      out[#out + 1] = v[4]
      out[#out + 1] = v[5]
      out[#out + 1] = v[6]
      out[#out + 1] = until_
      out[#out + 1] = v[7] or ''
      taken = taken + 1
    end
    sync_ready(KEYS[k + 1], KEYS[k + 8])
  end
end
return out
