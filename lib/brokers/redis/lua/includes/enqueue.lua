--[[
  enqueue(): adds the message in ARGV[1..5] (body, priority, delay ms, publisher's message id,
  headers and properties JSON) to the queue in KEYS[1..6] (ready, delayed, active, msg, seq, wake),
  ready now or delayed; returns its broker id (mid). Only what is not a default is stored (a waiting
  message is what the queue's memory holds most of): no delivery count until the first delivery, no
  priority field for priority 0.
]]
--- @include "includes/place"

local function enqueue()
  local mid = tostring(redis.call('INCR', KEYS[5]))
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
end
