--[[ lead.lua: take or keep a named leader lease (docs/spi.md "lead").

Granted when nobody holds it, the lease expired (until <= now) or the caller already holds it.
KEYS: 1 {P}:l:<name> (hash {h = holder, x = until ms}; with a Redis TTL as well)
ARGV: 1 now ms or '' (server TIME)  2 holder  3 ttl ms
Returns: {1 granted or 0, current holder, until ms}
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local now = clock()
local v = redis.call('HMGET', KEYS[1], 'h', 'x')
if v[1] and tonumber(v[2]) > now and v[1] ~= ARGV[2] then
  return {0, v[1], tonumber(v[2])}
end
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'h', ARGV[2], 'x', now + ttl)
redis.call('PEXPIRE', KEYS[1], math.max(ttl, 1))
return {1, ARGV[2], now + ttl}
