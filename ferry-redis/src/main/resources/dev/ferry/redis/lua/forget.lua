--[[ forget.lua: on the global slot, after tasks finished or left their queue's slot: release their
unique keys and drop their directory entries. Each only if it still names that task (a key may
have passed to a newer holder after uniqueFor; an id may have been stored again elsewhere).

KEYS: 1 {P}:ids (directory: id -> queue)  2 {P}:u: (prefix of unique-key holds)
ARGV: 1 number of directory pairs D, then D pairs: id, queue; then pairs: unique key, holder id
Returns: the number of entries removed
]]
local n = 0
local d = tonumber(ARGV[1])
for i = 2, 1 + 2 * d, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    n = n + redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
for i = 2 + 2 * d, #ARGV, 2 do
  local ukey = KEYS[2] .. ARGV[i]
  if redis.call('HGET', ukey, 'h') == ARGV[i + 1] then
    n = n + redis.call('DEL', ukey)
  end
end
return n
