--[[
  Puts a delivered message back at the tail of its priority, ready now or after a delay, optionally
  with a new body or priority. Its delivery count goes on (the next delivery is one more).

  KEYS[1] ready    ZSET  mid -> priority/order score
  KEYS[2] delayed  ZSET  mid -> due time
  KEYS[3] active   ZSET  mid -> lease end
  KEYS[4] msg      HASH  message fields
  KEYS[5] seq      STRING counter
  KEYS[6] wake     ZSET  wake-up marker

  ARGV[1] mid
  ARGV[2] token handed out with the delivery
  ARGV[3] delay in ms (0 = ready now)
  ARGV[4] '1' when ARGV[5] is a new body
  ARGV[5] new body
  ARGV[6] new priority ('' = keep)
  ARGV[7] '1' when ARGV[8] replaces the headers and properties
  ARGV[8] headers and properties, JSON ('' = none)

  Output: 1, or 0 when the delivery is stale.
]]
--- @include "includes/now"
--- @include "includes/ready"
--- @include "includes/wake"
--- @include "includes/place"
--- @include "includes/message"

local mid = ARGV[1]
if not holds(KEYS[3], KEYS[4], mid, ARGV[2]) then
  return 0
end
redis.call('ZREM', KEYS[3], mid)
redis.call('HDEL', KEYS[4], 't:' .. mid)
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[4], 'b:' .. mid, ARGV[5])
end
if ARGV[7] == '1' then
  if ARGV[8] == '' then
    redis.call('HDEL', KEYS[4], 'h:' .. mid)
  else
    redis.call('HSET', KEYS[4], 'h:' .. mid, ARGV[8])
  end
end
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[4], 'p:' .. mid, ARGV[6])
end

place(mid, tonumber(ARGV[3]))
return 1
