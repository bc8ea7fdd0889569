--[[ enqueue.lua: store new tasks, each atomically with its id and unique-key checks (docs/spi.md "enqueue").

Modes (ARGV[2]):
  all      standalone and Sentinel: checks and writes in one step; KEYS = global block, then queue blocks.
  reserve  Redis Cluster step 1, on the global slot: check and reserve ids and unique keys; KEYS = global block.
  store    Redis Cluster step 2, on one queue's slot: write the tasks step 1 reserved; KEYS = one queue block.

KEYS, global block (modes all and reserve), G = 3 keys:
  1  {P}:ids     hash   task id -> queue name (the directory)
  2  {P}:queues  set    known queue names
  3  {P}:u:      prefix of unique-key holds: {P}:u:<key> is a hash {h = holder id, x = held until, ms}
KEYS, queue block b (modes all and store), 7 keys from base = G + 7 * (b - 1) (G = 0 in mode store):
  +1 P:{Q}:pending    zset  claim order: score = priority * 2^46 + position ms, member = seq(12 hex) prio(2 hex) id;
                            the position is the runAt, or a tenanted task's fair position (below)
  +2 P:{Q}:scheduled  zset  score = runAt ms, same member
  +3 P:{Q}:seq        string counter: enqueue sequence and fencing tokens
  +4 P:{Q}:t:         prefix of task hashes (P:{Q}:t:<id>)
  +5 P:{Q}:wake       pub/sub channel that wakes idle workers of the queue
  +6 P:{Q}:ready      list   as long as pending (KEDA's listName; lib/ready.lua)
  +7 P:{Q}:fair       hash   '<prio>|<tenant>' -> pending member of the tenant's last fair-placed task
ARGV:
  1 now (ms) or '' to read the server clock (TIME); the override is a test hook
  2 mode   3 number of tasks N
  then 16 per task: id, queue, block, type, payload, priority, delay ms, runAt ms or '', maxAttempts,
                    timeout ms, unique key or '', uniqueFor ms, retention ms, dead retention ms, headers JSON or '',
                    tenant or '' (the ferry-tenant header, passed apart so Lua never parses the JSON)

Fair claim order (docs/spi.md): a tenanted task stored pending gets position = max(V, L + 1) instead of
its runAt. V = the first pending score of its priority band (now when the band is empty); L = the
position of the tenant's last fair-placed task, found through the fair hash and counted only while that
member is still pending (ZSCORE; otherwise the entry is stale and overwritten). A tenant's positions
only grow, so its last one is its greatest. The task hash keeps the real runAt. Each new field of the
fair hash samples two random fields and drops the stale ones, so the hash stays near the number of
tenants with pending work. Untenanted tasks take none of these steps.
Returns: 3 per task: status ('C' created, 'I' duplicate id, 'U' duplicate unique key), id (the existing
  task for I and U), queue of that existing task (or '').
]]
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local BAND = 70368744177664 -- 2^46: priority bands of the pending score
local function claim_score(prio, runAt)
  if runAt < 0 then runAt = 0 elseif runAt >= BAND then runAt = BAND - 1 end
  return prio * BAND + runAt
end

--#include ready

-- The fair position of a tenanted task entering the pending set of queue block `base` (see header).
local function fair_position(base, prio, tenant, now)
  local pending, fair = KEYS[base + 1], KEYS[base + 7]
  local lo = prio * BAND
  local head = redis.call('ZRANGEBYSCORE', pending, string.format('%d', lo), '(' .. string.format('%d', lo + BAND),
      'WITHSCORES', 'LIMIT', 0, 1)
  local position = now
  if #head > 0 then position = tonumber(head[2]) - lo end
  local last = redis.call('HGET', fair, prio .. '|' .. tenant)
  if last then
    local score = redis.call('ZSCORE', pending, last)
    if score and tonumber(score) - lo + 1 > position then position = tonumber(score) - lo + 1 end
  end
  return position
end

-- Remembers `member` as the tenant's last fair-placed task. A new field drops stale ones at random
-- (members no longer pending): pcall, so a server without HRANDFIELD (before 6.2) only skips that.
local function fair_remember(base, prio, tenant, member)
  local pending, fair = KEYS[base + 1], KEYS[base + 7]
  if redis.call('HSET', fair, prio .. '|' .. tenant, member) == 0 then return end
  local sample = redis.pcall('HRANDFIELD', fair, 2, 'WITHVALUES')
  if type(sample) ~= 'table' or sample.err then return end
  for i = 1, #sample, 2 do
    if not redis.call('ZSCORE', pending, sample[i + 1]) then redis.call('HDEL', fair, sample[i]) end
  end
end

local now = clock()
local mode = ARGV[2]
local n = tonumber(ARGV[3])
local G = 0
if mode ~= 'store' then G = 3 end
local out = {}
local woken = {}

for i = 0, n - 1 do
  local o = 4 + i * 16
  local id, queue, block = ARGV[o], ARGV[o + 1], tonumber(ARGV[o + 2])
  local prio = tonumber(ARGV[o + 5])
  local uk = ARGV[o + 10]
  local status, other, otherQueue = 'C', id, ''

  if mode ~= 'store' then
    local held = redis.call('HGET', KEYS[1], id)
    if held then
      status, otherQueue = 'I', held
    elseif uk ~= '' then
      local hold = redis.call('HMGET', KEYS[3] .. uk, 'h', 'x')
      if hold[1] and tonumber(hold[2]) > now then
        status, other = 'U', hold[1]
        otherQueue = redis.call('HGET', KEYS[1], hold[1]) or ''
      end
    end
    if status == 'C' then
      redis.call('HSET', KEYS[1], id, queue)
      redis.call('SADD', KEYS[2], queue)
      if uk ~= '' then
        local uf = tonumber(ARGV[o + 11])
        redis.call('HSET', KEYS[3] .. uk, 'h', id, 'x', now + uf)
        redis.call('PEXPIRE', KEYS[3] .. uk, math.max(uf, 1))
      end
    end
  end

  if status == 'C' and mode ~= 'reserve' then
    local base = G + 7 * (block - 1)
    local tkey = KEYS[base + 4] .. id
    if redis.call('EXISTS', tkey) == 1 then
      status, otherQueue = 'I', queue
    else
      local runAt
      if ARGV[o + 7] ~= '' then runAt = tonumber(ARGV[o + 7]) else runAt = now + tonumber(ARGV[o + 6]) end
      local seq = redis.call('INCR', KEYS[base + 3])
      local state = 'P'
      if runAt > now then state = 'S' end
      local f = {'ty', ARGV[o + 3], 'p', ARGV[o + 4], 'pr', prio, 's', state, 'a', 0, 'ma', ARGV[o + 8],
                 'to', ARGV[o + 9], 'r', runAt, 'e', now, 'sq', seq, 'rt', ARGV[o + 12], 'dt', ARGV[o + 13]}
      if uk ~= '' then f[#f + 1] = 'u'; f[#f + 1] = uk end
      if ARGV[o + 14] ~= '' then f[#f + 1] = 'h'; f[#f + 1] = ARGV[o + 14] end
      redis.call('HSET', tkey, unpack(f))
      local member = string.format('%012x%02x', seq, prio) .. id
      if state == 'S' then
        redis.call('ZADD', KEYS[base + 2], runAt, member)
      else
        local tenant = ARGV[o + 15]
        if tenant == '' then
          redis.call('ZADD', KEYS[base + 1], claim_score(prio, runAt), member)
        else
          redis.call('ZADD', KEYS[base + 1], claim_score(prio, fair_position(base, prio, tenant, now)), member)
          fair_remember(base, prio, tenant, member)
        end
        woken[base] = true
      end
    end
  end

  out[#out + 1] = status
  out[#out + 1] = other
  out[#out + 1] = otherQueue
end

for base in pairs(woken) do
  sync_ready(KEYS[base + 1], KEYS[base + 6])
  redis.call('PUBLISH', KEYS[base + 5], 'enqueue')
end
return out
