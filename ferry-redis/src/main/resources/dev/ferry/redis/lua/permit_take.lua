--[[ permit_take.lua: take one token from a token bucket (docs/spi.md "permits", Take).

A bucket with no state, or whose fullAt <= now, holds burst tokens; otherwise it has refilled
continuously since `at` at limit tokens per `per`, up to burst. Granted when a whole token is there.
Either way tokens, at = now and fullAt (when it is full again) are stored, and the key expires at
fullAt: an idle bucket reads as full anyway, so nothing is kept for it.
KEYS: 1 P:b:{<name>} (hash {t = tokens, printed with 17 digits so a double survives, a = at ms, f = fullAt ms})
ARGV: 1 now ms or '' (server TIME)  2 limit  3 per ms  4 burst
Returns: {1, 0} granted, or {0, retryAt ms} denied (when the next whole token is there)
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local now = clock()
local limit, per, burst = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local v = redis.call('HMGET', KEYS[1], 't', 'a', 'f')
local tokens
if not v[1] or tonumber(v[3]) <= now then
  tokens = burst
else
  tokens = math.min(burst, tonumber(v[1]) + (now - tonumber(v[2])) * limit / per)
end
local granted, retryAt = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  granted = 1
else
  retryAt = now + math.ceil((1 - tokens) * per / limit)
end
local fullAt = now + math.ceil((burst - tokens) * per / limit)
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'a', now, 'f', fullAt)
-- A test clock (ARGV[1]) runs apart from Redis's own expiry clock: keep the key a minute longer
-- there; the stored fullAt decides either way.
local keep = fullAt - now
if ARGV[1] ~= '' then keep = keep + 60000 end
redis.call('PEXPIRE', KEYS[1], math.max(keep, 1))
return {granted, retryAt}
