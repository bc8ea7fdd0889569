--[[ pause.lua: set or clear a queue's paused flag (docs/spi.md "admin Pause / Resume").

KEYS: 1 P:{Q}:paused (flag)  2 P:{Q}:wake (channel: a resumed queue's ready tasks can be claimed again)
ARGV: 1 'pause' or 'resume'
Returns: 1 when the flag changed, else 0
]]
if ARGV[1] == 'pause' then
  if redis.call('SET', KEYS[1], '1', 'NX') then return 1 end
  return 0
end
if redis.call('DEL', KEYS[1]) == 1 then
  redis.call('PUBLISH', KEYS[2], 'resume')
  return 1
end
return 0
