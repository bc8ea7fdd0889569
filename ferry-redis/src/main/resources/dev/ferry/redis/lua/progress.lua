--[[ progress.lua: store progress JSON for an active task, fenced by its lease (docs/spi.md "progress").

KEYS: 1 P:{Q}:t:<id> (the task hash)
ARGV: 1 now ms or '' (server TIME)  2 token  3 progress JSON
Returns: 1 when stored, 0 when the lease is invalid
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local now = clock()
local v = redis.call('HMGET', KEYS[1], 's', 'tk', 'l')
if v[1] ~= 'A' or tonumber(v[2]) ~= tonumber(ARGV[2]) or tonumber(v[3]) <= now then return 0 end
redis.call('HSET', KEYS[1], 'pg', ARGV[3])
return 1
