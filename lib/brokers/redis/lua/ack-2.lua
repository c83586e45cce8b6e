--[[
  Removes a delivered message for good (the task has an outcome).

  KEYS[1] active   ZSET  mid -> lease end
  KEYS[2] msg      HASH  message fields

  ARGV[1] mid
  ARGV[2] token handed out with the delivery

  Output: 1, or 0 when the delivery is stale (its lease ended and the message went to another consumer).
]]
--- @include "includes/message"

if not holds(KEYS[1], KEYS[2], ARGV[1], ARGV[2]) then
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
forget(KEYS[2], ARGV[1])
return 1
