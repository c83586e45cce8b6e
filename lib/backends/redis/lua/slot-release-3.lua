--[[
  Frees a holder's place of a concurrency limit and hands out parked tasks for the places now free,
  oldest first, for the caller to publish.

  KEYS[1] holders  ZSET holder -> lease end (ms)
  KEYS[2] waiting  ZSET parked task id -> arrival (ms)
  KEYS[3] parked   HASH parked task id -> JSON { taskId, queue, body }

  ARGV[1] limit
  ARGV[2] holder

  Output: the JSON of each parked task handed out (possibly none).
]]
--- @include "includes/now"

local holders, waiting, parked = KEYS[1], KEYS[2], KEYS[3]
redis.call('ZREM', holders, ARGV[2])
redis.call('ZREMRANGEBYSCORE', holders, '-inf', nowMs())
local free = tonumber(ARGV[1]) - redis.call('ZCARD', holders)
local out = {}
if free <= 0 then
  return out
end
for _, id in ipairs(redis.call('ZRANGE', waiting, 0, free - 1)) do
  local task = redis.call('HGET', parked, id)
  redis.call('ZREM', waiting, id)
  redis.call('HDEL', parked, id)
  if task then
    table.insert(out, task)
  end
end
return out
