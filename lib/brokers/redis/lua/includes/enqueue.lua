--[[
  enqueue(body, priority, delay, messageId, meta): adds one message (body, priority 0-9 as a string,
  delay in ms as a number, the publisher's message id or '', headers and properties JSON or '') to
  the queue in KEYS[1..6] (ready, delayed, active, msg, seq, wake), ready now or delayed; returns its
  broker id (mid). Only what is not a default is stored (a waiting message is what the queue's memory
  holds most of): no delivery count until the first delivery, no priority field for priority 0, no
  message id field when the body names the same id at its head ('' when the publisher gave none).
]]
--- @include "includes/place"
--- @include "includes/body-id"

local function enqueue(body, priority, delay, messageId, meta)
  local mid = tostring(redis.call('INCR', KEYS[5]))
  redis.call('HSET', KEYS[4], 'b:' .. mid, body)
  if priority ~= '0' then
    redis.call('HSET', KEYS[4], 'p:' .. mid, priority)
  end
  if messageId == '' or messageId ~= bodyId(body) then
    redis.call('HSET', KEYS[4], 'i:' .. mid, messageId)
  end
  if meta ~= '' then
    redis.call('HSET', KEYS[4], 'h:' .. mid, meta)
  end
  place(mid, delay)
  return mid
end
