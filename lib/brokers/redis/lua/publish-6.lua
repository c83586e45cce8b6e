--[[
  Adds a message to a queue: ready now, or delayed until it falls due.

  KEYS[1] ready    ZSET  mid -> priority/order score
  KEYS[2] delayed  ZSET  mid -> due time (epoch ms)
  KEYS[3] active   ZSET  mid -> lease end (epoch ms)
  KEYS[4] msg      HASH  message fields
  KEYS[5] seq      STRING counter for message ids and order numbers
  KEYS[6] wake     ZSET  wake-up marker

  ARGV[1] body
  ARGV[2] priority (0-9, higher first)
  ARGV[3] delay in ms (0 = ready now)
  ARGV[4] publisher's message id ('' = none)
  ARGV[5] headers and properties, JSON ('' = none)

  Output: the broker's message id (mid).
]]
--- @include "includes/now"
--- @include "includes/ready"
--- @include "includes/wake"
--- @include "includes/place"

local mid = tostring(redis.call('INCR', KEYS[5]))
-- Only what is not a default is stored (a waiting message is what the queue's memory holds most of):
-- no delivery count until the first delivery, no priority field for priority 0.
redis.call('HSET', KEYS[4], 'b:' .. mid, ARGV[1])
if ARGV[2] ~= '0' then
  redis.call('HSET', KEYS[4], 'p:' .. mid, ARGV[2])
end
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[4], 'i:' .. mid, ARGV[4])
end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[4], 'h:' .. mid, ARGV[5])
end

place(mid, tonumber(ARGV[3]))
return mid
