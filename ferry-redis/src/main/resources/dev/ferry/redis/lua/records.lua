--[[ records.lua: small documents of one namespace, kept until deleted (docs/spi.md "records").

KEYS: 1 P:r:{<namespace>} (hash: key -> '<updatedAt ms>:<json>'; no expiry, never pruned)
ARGV: 1 now ms or '' (server TIME)  2 command: 'put', 'get', 'all' or 'delete'
  put:    3 key  4 json  5 '1' to keep an existing record (onlyIfAbsent), else '0'
  get:    3 key
  delete: 3 key
Returns: {count, key, value, key, value, ...}: put and delete return only the count (1 stored or
  deleted, else 0); get returns count 1 and its pair, or 0; all returns every pair (unsorted).
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local cmd = ARGV[2]
if cmd == 'put' then
  if ARGV[5] == '1' and redis.call('HEXISTS', KEYS[1], ARGV[3]) == 1 then return {0} end
  redis.call('HSET', KEYS[1], ARGV[3], string.format('%d', clock()) .. ':' .. ARGV[4])
  return {1}
elseif cmd == 'get' then
  local v = redis.call('HGET', KEYS[1], ARGV[3])
  if not v then return {0} end
  return {1, ARGV[3], v}
elseif cmd == 'delete' then
  return {redis.call('HDEL', KEYS[1], ARGV[3])}
end
local all = redis.call('HGETALL', KEYS[1])
local out = {#all / 2}
for i = 1, #all do out[i + 1] = all[i] end
return out
