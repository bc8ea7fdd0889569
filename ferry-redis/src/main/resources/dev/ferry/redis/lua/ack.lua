--[[ ack.lua: record attempt outcomes of one queue, each fenced by its lease (docs/spi.md "ack").

KEYS: 1 P:{Q}:active  2 P:{Q}:scheduled  3 P:{Q}:retrying  4 P:{Q}:completed  5 P:{Q}:dead
      6 P:{Q}:cancelled (finished sets: zsets by finishedAt)  7 P:{Q}:expiry (finished tasks by expiresAt)
      8 P:{Q}:stats (hash of totals)  9 P:{Q}:t: (task hash prefix)  10 P:{Q}:wake (channel)
ARGV: 1 now ms or '' (server TIME), then 5 per ack: id, token, kind, a, b
  kind C completed: a = result JSON or '' (null)
  kind R retry:     a = delay ms, b = error JSON
  kind S snooze:    a = delay ms
  kind D dead:      a = dead reason (FAILED, POISON, UNPROCESSABLE), b = error JSON or ''
  kind X cancelled
Errors are a ring of the last 10 in fields e0..e9, 'ec' counting all ever appended.
Returns: {rejected ids}, {unique key, holder id, ...} of finished tasks (released by the caller on the global slot)
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local now = clock()
local rejected, unique = {}, {}
local wake = false

local function add_error(tkey, err)
  if err == nil or err == '' then return end
  local ec = redis.call('HINCRBY', tkey, 'ec', 1)
  redis.call('HSET', tkey, 'e' .. ((ec - 1) % 10), err)
end

local function finish(tkey, id, member, state, set, keep)
  local x = now + keep
  redis.call('HSET', tkey, 's', state, 'f', now, 'x', x)
  redis.call('ZADD', KEYS[set], now, member)
  redis.call('ZADD', KEYS[7], x, member)
  local uk = redis.call('HGET', tkey, 'u')
  if uk then unique[#unique + 1] = uk; unique[#unique + 1] = id end
end

for i = 2, #ARGV, 5 do
  local id, token, kind, a, b = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local tkey = KEYS[9] .. id
  local v = redis.call('HMGET', tkey, 's', 'tk', 'l', 'sq', 'pr', 'rt', 'dt')
  if v[1] ~= 'A' or tonumber(v[2]) ~= token or tonumber(v[3]) <= now then
    rejected[#rejected + 1] = id
  else
    local member = string.format('%012x%02x', tonumber(v[4]), tonumber(v[5])) .. id
    redis.call('ZREM', KEYS[1], member)
    redis.call('HDEL', tkey, 'l')
    if kind == 'C' then
      if a ~= '' then redis.call('HSET', tkey, 'res', a) else redis.call('HDEL', tkey, 'res') end
      finish(tkey, id, member, 'C', 4, tonumber(v[6]))
      redis.call('HINCRBY', KEYS[8], 'processed', 1)
    elseif kind == 'R' then
      local runAt = now + tonumber(a)
      redis.call('HSET', tkey, 's', 'R', 'r', runAt)
      add_error(tkey, b)
      redis.call('ZADD', KEYS[3], runAt, member)
      redis.call('HINCRBY', KEYS[8], 'failed', 1)
      wake = true
    elseif kind == 'S' then
      local runAt = now + tonumber(a)
      redis.call('HSET', tkey, 's', 'S', 'r', runAt)
      redis.call('HINCRBY', tkey, 'a', -1)
      redis.call('ZADD', KEYS[2], runAt, member)
      wake = true
    elseif kind == 'D' then
      redis.call('HSET', tkey, 'dr', a)
      add_error(tkey, b)
      finish(tkey, id, member, 'D', 5, tonumber(v[7]))
      redis.call('HINCRBY', KEYS[8], 'failed', 1)
      redis.call('HINCRBY', KEYS[8], 'dead', 1)
      if a == 'POISON' then redis.call('HINCRBY', KEYS[8], 'poisoned', 1) end
    else
      finish(tkey, id, member, 'X', 6, tonumber(v[6]))
    end
  end
end
if wake then redis.call('PUBLISH', KEYS[10], 'ack') end
return {rejected, unique}
