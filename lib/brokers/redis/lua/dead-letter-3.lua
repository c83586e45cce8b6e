--[[
  Moves a delivered message to its queue's dead-letter list with the reason it could not be processed.

  KEYS[1] active   ZSET  mid -> lease end
  KEYS[2] msg      HASH  message fields
  KEYS[3] dead     LIST  dead-letter records (JSON), oldest first

  ARGV[1] mid
  ARGV[2] token handed out with the delivery
  ARGV[3] reason
  ARGV[4] queue name
  ARGV[5] most dead letters kept (the oldest beyond are dropped)

  Output: 1, or 0 when the delivery is stale.
]]
--- @include "includes/now"
--- @include "includes/message"

if not holds(KEYS[1], KEYS[2], ARGV[1], ARGV[2]) then
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
deadLetter(KEYS[2], KEYS[3], ARGV[1], ARGV[4], ARGV[3], nowMs(), tonumber(ARGV[5]))
return 1
