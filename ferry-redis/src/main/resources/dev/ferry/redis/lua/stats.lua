--[[ stats.lua: counts, flag and totals of one queue (docs/spi.md "stats"). Read-only.

KEYS: 1 P:{Q}:pending  2 P:{Q}:scheduled  3 P:{Q}:active  4 P:{Q}:retrying  5 P:{Q}:completed
      6 P:{Q}:dead  7 P:{Q}:cancelled  8 P:{Q}:stats  9 P:{Q}:paused  10 P:{Q}:t: (task hash prefix)
      11 P:{Q}:fair (exists once the queue had a tenanted task; enqueue.lua)
Returns: pending, scheduled, active, retrying, completed, dead, cancelled counts, paused (0/1),
  processed, failed, dead and poisoned totals, oldest pending runAt ms or '' when none is pending.
The oldest pending runAt is the smallest over priority bands: one ranged lookup per band present.
Without tenants a pending score is priority and runAt, and each band's first member is its oldest.
A fair position is not a runAt (it may be later or earlier), so on a queue with tenants the runAt
is read from the task hashes of the first FAIR_SCAN members of each band: every waiting tenant's
next task (its oldest) is among them while fewer than about FAIR_SCAN / 2 tenants wait per priority.
]]
local BAND = 70368744177664
local FAIR_SCAN = 100
local out = {}
for i = 1, 7 do out[i] = redis.call('ZCARD', KEYS[i]) end
out[8] = redis.call('EXISTS', KEYS[9])
local totals = redis.call('HMGET', KEYS[8], 'processed', 'failed', 'dead', 'poisoned')
for i = 1, 4 do out[8 + i] = tonumber(totals[i] or '0') end
local fair = out[1] > 0 and redis.call('EXISTS', KEYS[11]) == 1
local scan = 1
if fair then scan = FAIR_SCAN end
local oldest = nil
local lo = '-inf'
while true do
  local first = redis.call('ZRANGEBYSCORE', KEYS[1], lo, '+inf', 'WITHSCORES', 'LIMIT', 0, scan)
  if #first == 0 then break end
  local band = math.floor(tonumber(first[2]) / BAND)
  for i = 1, #first, 2 do
    local score = tonumber(first[i + 1])
    local runAt = score - math.floor(score / BAND) * BAND
    if fair then runAt = tonumber(redis.call('HGET', KEYS[10] .. string.sub(first[i], 15), 'r') or runAt) end
    if oldest == nil or runAt < oldest then oldest = runAt end
  end
  lo = string.format('%d', (band + 1) * BAND)
end
if oldest == nil then out[13] = '' else out[13] = string.format('%d', oldest) end
return out
