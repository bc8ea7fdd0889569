--[[ stats.lua: counts, flag and totals of one queue (docs/spi.md "stats"). Read-only.

KEYS: 1 P:{Q}:pending  2 P:{Q}:scheduled  3 P:{Q}:active  4 P:{Q}:retrying  5 P:{Q}:completed
      6 P:{Q}:dead  7 P:{Q}:cancelled  8 P:{Q}:stats  9 P:{Q}:paused
Returns: pending, scheduled, active, retrying, completed, dead, cancelled counts, paused (0/1),
  processed, failed, dead and poisoned totals, oldest pending runAt ms or '' when none is pending.
The oldest pending runAt is the smallest over priority bands: one ranged lookup per band present.
]]
local BAND = 70368744177664
local out = {}
for i = 1, 7 do out[i] = redis.call('ZCARD', KEYS[i]) end
out[8] = redis.call('EXISTS', KEYS[9])
local totals = redis.call('HMGET', KEYS[8], 'processed', 'failed', 'dead', 'poisoned')
for i = 1, 4 do out[8 + i] = tonumber(totals[i] or '0') end
local oldest = nil
local lo = '-inf'
while true do
  local first = redis.call('ZRANGEBYSCORE', KEYS[1], lo, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #first == 0 then break end
  local score = tonumber(first[2])
  local band = math.floor(score / BAND)
  local runAt = score - band * BAND
  if oldest == nil or runAt < oldest then oldest = runAt end
  lo = (band + 1) * BAND
end
if oldest == nil then out[13] = '' else out[13] = string.format('%d', oldest) end
return out
