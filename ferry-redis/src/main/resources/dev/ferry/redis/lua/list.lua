--[[ list.lua: one page of a queue's tasks in one state (docs/spi.md "list"). Read-only.

KEYS: 1 the state's set (P:{Q}:pending, scheduled, retrying, active, completed, dead or cancelled)
      2 P:{Q}:t: (task hash prefix)
ARGV: 1 order: 'asc' (by score, then sequence), 'desc' (finished: newest first) or
        'started' (active: by startedAt, then sequence)  2 offset  3 count
Returns: per task {sort key, member, {hash field, value, ...}}
]]
local order, offset, count = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local rows = {}
if order == 'started' then
  local all = redis.call('ZRANGE', KEYS[1], 0, -1)
  for _, m in ipairs(all) do
    rows[#rows + 1] = {tonumber(redis.call('HGET', KEYS[2] .. string.sub(m, 15), 'st') or '0'), m}
  end
  table.sort(rows, function(x, y) if x[1] ~= y[1] then return x[1] < y[1] end return x[2] < y[2] end)
  local page = {}
  for i = offset + 1, math.min(#rows, offset + count) do page[#page + 1] = rows[i] end
  rows = page
else
  local r
  if order == 'desc' then
    r = redis.call('ZREVRANGE', KEYS[1], offset, offset + count - 1, 'WITHSCORES')
  else
    r = redis.call('ZRANGE', KEYS[1], offset, offset + count - 1, 'WITHSCORES')
  end
  for i = 1, #r, 2 do rows[#rows + 1] = {tonumber(r[i + 1]), r[i]} end
end
local out = {}
for _, row in ipairs(rows) do
  out[#out + 1] = {string.format('%d', row[1]), row[2], redis.call('HGETALL', KEYS[2] .. string.sub(row[2], 15))}
end
return out
