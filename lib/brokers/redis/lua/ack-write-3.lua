--[[
  Stores a task's outcome record and removes its delivered message for good, in one step (broker and
  result backend on one Redis). A stale delivery (its lease ended and the message went to another
  consumer) stores nothing: the attempt that holds the message now writes the outcome.

  KEYS[1] active   ZSET  mid -> lease end
  KEYS[2] msg      HASH  message fields
  KEYS[3] record   STRING the result backend's record

  ARGV[1] mid
  ARGV[2] token handed out with the delivery
  ARGV[3] record value
  ARGV[4] record time to live in ms
  ARGV[5] '1' = store only if absent, '' = always
  ARGV[6...] channel, head pairs: once the record is stored, each channel gets its head and the value

  Output: 1, or 0 when the delivery is stale (its lease ended and the message went to another consumer).
]]
--- @include "includes/message"
--- @include "includes/companion"

if not holds(KEYS[1], KEYS[2], ARGV[1], ARGV[2]) then
  return 0
end
writeCompanion(KEYS[3], 3)
redis.call('ZREM', KEYS[1], ARGV[1])
forget(KEYS[2], ARGV[1])
return 1
