--[[
  Extends the leases of deliveries that are still running, so they are not handed to another consumer.

  KEYS[1] active   ZSET  mid -> lease end
  KEYS[2] msg      HASH  message fields

  ARGV[1] lease in ms
  ARGV[2..] pairs of mid, token

  Output: the mids whose lease was already lost (ended and reclaimed, or settled elsewhere).
]]
--- @include "includes/now"
--- @include "includes/message"

local leaseEnd = nowMs() + tonumber(ARGV[1])
local lost = {}
for i = 2, #ARGV, 2 do
  local mid = ARGV[i]
  if holds(KEYS[1], KEYS[2], mid, ARGV[i + 1]) then
    redis.call('ZADD', KEYS[1], 'XX', leaseEnd, mid)
  else
    table.insert(lost, mid)
  end
end
return lost
