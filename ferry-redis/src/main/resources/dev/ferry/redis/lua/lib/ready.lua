--[[ lib/ready.lua: included (by the line "--#include ready") into every script that changes a
queue's pending set, before its first statement.

sync_ready(pending, ready) makes the LIST `ready` (P:{Q}:ready) exactly as long as the zset `pending`
(P:{Q}:pending), pushing or trimming placeholder elements: KEDA's redis scaler reads the queue's
ready count with LLEN. Cost O(change), not O(queue): both sizes are O(1) reads and only the
difference is pushed or trimmed. A list left behind by an older Ferry, or none at all, is put right
at the next call on the queue.
]]
local READY_CHUNK = 1000
local function sync_ready(pending, ready)
  local want = redis.call('ZCARD', pending)
  local have = redis.call('LLEN', ready)
  if want > have then
    local add = want - have
    while add > 0 do
      local n = math.min(add, READY_CHUNK)
      local ones = {}
      for i = 1, n do ones[i] = '1' end
      redis.call('RPUSH', ready, unpack(ones))
      add = add - n
    end
  elseif want < have then
    if want == 0 then
      redis.call('DEL', ready)
    else
      redis.call('LTRIM', ready, 0, want - 1)
    end
  end
end
