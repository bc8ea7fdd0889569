--[[ permit_release.lua: give up a semaphore slot (docs/spi.md "permits", Release).

The holder is removed whether or not its slot had expired; an emptied set is deleted by Redis, and
the key's expiry (its last holder's) only ever outlives what is left.
KEYS: 1 P:s:{<name>} (zset: holder -> expiry ms)
ARGV: 1 now ms or '' (server TIME)  2 holder
Returns: 1 when the holder held a live slot (expiry > now), else 0
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local now = clock()
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not expiry then return 0 end
redis.call('ZREM', KEYS[1], ARGV[2])
if tonumber(expiry) > now then return 1 end
return 0
