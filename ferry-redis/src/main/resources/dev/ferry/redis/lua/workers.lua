--[[ workers.lua: worker heartbeats (docs/spi.md "heartbeat / workers / unregister", and prune's sweep).

KEYS: 1 {P}:workers (hash: worker id -> description JSON)  2 {P}:heartbeats (zset: worker id by last beat ms)
ARGV: 1 now ms or '' (server TIME)  2 mode, then:
  beat        3 worker id  4 description JSON      Returns: now
  list        (workers that beat within 60 s)      Returns: per worker: id, description, last beat ms
  unregister  3 worker id                          Returns: 1 when it was known, else 0
  sweep       (forget workers silent for > 60 s)   Returns: the number forgotten
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local WINDOW = 60000
local now = clock()
local mode = ARGV[2]
if mode == 'beat' then
  redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
  redis.call('ZADD', KEYS[2], now, ARGV[3])
  return now
elseif mode == 'list' then
  local out = {}
  local live = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. string.format('%d', now - WINDOW), '+inf', 'WITHSCORES')
  for i = 1, #live, 2 do
    local d = redis.call('HGET', KEYS[1], live[i])
    if d then
      out[#out + 1] = live[i]
      out[#out + 1] = d
      out[#out + 1] = live[i + 1]
    end
  end
  return out
elseif mode == 'unregister' then
  redis.call('ZREM', KEYS[2], ARGV[3])
  return redis.call('HDEL', KEYS[1], ARGV[3])
end
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. string.format('%d', now - WINDOW))
for _, id in ipairs(stale) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[1], id)
end
return #stale
