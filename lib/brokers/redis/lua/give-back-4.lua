--[[
  Hands unsettled deliveries of a closing broker client back to the head of their ready set, as if
  their lease had ended; their delivery count goes on.

  KEYS[1] ready    ZSET  mid -> priority/order score
  KEYS[2] active   ZSET  mid -> lease end
  KEYS[3] msg      HASH  message fields
  KEYS[4] wake     ZSET  wake-up marker

  ARGV[1..] pairs of mid, token

  Output: how many were handed back (stale ones are skipped).
]]
--- @include "includes/ready"
--- @include "includes/wake"
--- @include "includes/message"

local count = 0
for i = 1, #ARGV, 2 do
  local mid = ARGV[i]
  if holds(KEYS[2], KEYS[3], mid, ARGV[i + 1]) then
    redis.call('ZREM', KEYS[2], mid)
    redis.call('HDEL', KEYS[3], 't:' .. mid)
    -- keepOrder is true, so the counter key is never touched.
    enterReady(KEYS[1], KEYS[3], nil, mid, true)
    count = count + 1
  end
end
if count > 0 then
  signal(KEYS[4])
end
return count
