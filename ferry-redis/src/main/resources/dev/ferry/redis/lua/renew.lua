--[[ renew.lua: extend valid leases of one queue (docs/spi.md "renew").

A lease is valid iff the task exists, is ACTIVE (s = 'A'), has that token and now < leaseExpiresAt.
KEYS: 1 P:{Q}:active (zset by lease expiry)  2 P:{Q}:t: (task hash prefix)
ARGV: 1 now ms or '' (server TIME)  2 lease ms  then pairs: task id, token
Returns: {lost ids}, {renewed ids with a cancel request}
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local now = clock()
local until_ = now + tonumber(ARGV[2])
local lost, cancel = {}, {}
for i = 3, #ARGV, 2 do
  local id, token = ARGV[i], tonumber(ARGV[i + 1])
  local tkey = KEYS[2] .. id
  local v = redis.call('HMGET', tkey, 's', 'tk', 'l', 'sq', 'pr', 'cr')
  if v[1] ~= 'A' or tonumber(v[2]) ~= token or tonumber(v[3]) <= now then
    lost[#lost + 1] = id
  else
    redis.call('HSET', tkey, 'l', until_)
    redis.call('ZADD', KEYS[1], until_, string.format('%012x%02x', tonumber(v[4]), tonumber(v[5])) .. id)
    if v[6] then cancel[#cancel + 1] = id end
  end
end
return {lost, cancel}
