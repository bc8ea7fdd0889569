--[[ prune.lua: delete finished tasks of one queue whose retention ended (docs/spi.md "prune").

KEYS: 1 P:{Q}:expiry (finished tasks by expiresAt)  2 P:{Q}:completed  3 P:{Q}:dead  4 P:{Q}:cancelled
      5 P:{Q}:t: (task hash prefix)
ARGV: 1 now ms or '' (server TIME)  2 limit
Returns: the ids deleted (the caller then drops their directory entries on the global slot)
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local now = clock()
local sets = {C = 2, D = 3, X = 4}
local deleted = {}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  local id = string.sub(member, 15)
  local tkey = KEYS[5] .. id
  local state = redis.call('HGET', tkey, 's')
  redis.call('ZREM', KEYS[1], member)
  if state and sets[state] then
    redis.call('ZREM', KEYS[sets[state]], member)
    redis.call('DEL', tkey)
    deleted[#deleted + 1] = id
  end
end
return deleted
