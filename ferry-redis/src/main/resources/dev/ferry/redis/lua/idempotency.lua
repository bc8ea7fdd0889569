--[[ idempotency.lua: read, or store if absent, an idempotency record (docs/spi.md "idempotency").

KEYS: 1 {P}:i:<key> (hash {v = value, x = until ms}; also given a Redis TTL so it goes away by itself)
ARGV: 1 now ms or '' (server TIME)  2 'read' or 'store'  3 value JSON  4 ttl ms
Returns: the live value, or false when there is none (read) 
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local now = clock()
local v = redis.call('HMGET', KEYS[1], 'v', 'x')
if v[1] and tonumber(v[2]) > now then return v[1] end
if ARGV[2] ~= 'store' then
  if v[1] then redis.call('DEL', KEYS[1]) end
  return false
end
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'v', ARGV[3], 'x', now + ttl)
redis.call('PEXPIRE', KEYS[1], math.max(ttl, 1))
return ARGV[3]
