--[[ delete.lua: delete tasks of one queue that are not active (docs/spi.md "admin Delete / Purge").

KEYS: 1 P:{Q}:pending  2 P:{Q}:scheduled  3 P:{Q}:retrying  4 P:{Q}:completed  5 P:{Q}:dead
      6 P:{Q}:cancelled  7 P:{Q}:expiry  8 P:{Q}:t: (task hash prefix)
      9 P:{Q}:ready (list as long as pending; lib/ready.lua)
ARGV: 1 mode: 'id' (ARGV[2] = task id) or 'purge' (ARGV[2] = limit, ARGV[3..] = state codes P S R C D X)
Returns: per deleted task: id, unique key or '' (the caller releases keys and directory entries)
]]
--#include ready

local sets = {P = 1, S = 2, R = 3, C = 4, D = 5, X = 6}
local out = {}

local function delete(id)
  local tkey = KEYS[8] .. id
  local v = redis.call('HMGET', tkey, 's', 'sq', 'pr', 'u')
  if not v[1] or not sets[v[1]] then return end
  local member = string.format('%012x%02x', tonumber(v[2]), tonumber(v[3])) .. id
  redis.call('ZREM', KEYS[sets[v[1]]], member)
  redis.call('ZREM', KEYS[7], member)
  redis.call('DEL', tkey)
  out[#out + 1] = id
  out[#out + 1] = v[4] or ''
end

if ARGV[1] == 'id' then
  delete(ARGV[2])
else
  local left = tonumber(ARGV[2])
  for i = 3, #ARGV do
    if left <= 0 then break end
    local set = sets[ARGV[i]]
    if set then
      local members = redis.call('ZRANGE', KEYS[set], 0, left - 1)
      for _, member in ipairs(members) do delete(string.sub(member, 15)) end
      left = left - #members
    end
  end
end
sync_ready(KEYS[1], KEYS[9])
return out
