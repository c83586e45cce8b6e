--[[
  Takes one of `limit` places of a concurrency limit for a holder (a task id), with a lease. Places
  whose lease ended (their worker died or stalled) are freed first. When every place is taken, the
  task may be parked, once and in arrival order, for the worker that frees a place to publish.

  KEYS[1] holders  ZSET holder -> lease end (ms)
  KEYS[2] waiting  ZSET parked task id -> arrival (ms)
  KEYS[3] parked   HASH parked task id -> JSON { taskId, queue, body }

  ARGV[1] limit
  ARGV[2] lease in ms
  ARGV[3] holder (the task id)
  ARGV[4] parked task JSON, or '' to not park
  ARGV[5] how long parked tasks are kept, in ms

  Output: { outcome, retry ms }: outcome 1 acquired, 0 held already by this holder (the task runs
  elsewhere), -1 every place taken; retry ms is when the earliest lease ends.
]]
--- @include "includes/now"

local holders, waiting, parked = KEYS[1], KEYS[2], KEYS[3]
local limit, lease, holder = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local now = nowMs()

redis.call('ZREMRANGEBYSCORE', holders, '-inf', now)
local held = redis.call('ZSCORE', holders, holder)
if held then
  return { 0, math.max(1, math.ceil(tonumber(held) - now)) }
end
if redis.call('ZCARD', holders) < limit then
  redis.call('ZADD', holders, now + lease, holder)
  redis.call('PEXPIRE', holders, lease)
  if redis.call('ZREM', waiting, holder) == 1 then
    redis.call('HDEL', parked, holder)
  end
  return { 1, 0 }
end
if ARGV[4] ~= '' and redis.call('ZADD', waiting, 'NX', now, holder) == 1 then
  redis.call('HSET', parked, holder, ARGV[4])
  redis.call('PEXPIRE', waiting, ARGV[5])
  redis.call('PEXPIRE', parked, ARGV[5])
end
local first = redis.call('ZRANGE', holders, 0, 0, 'WITHSCORES')
return { -1, math.max(1, math.ceil(tonumber(first[2]) - now)) }
