-- Puts a message in the ready set. Score = (9 - priority) * 2^44 + order: ZPOPMIN takes the highest
-- priority first and, within a priority, the lowest order number (first in, first out). A new or
-- requeued message takes a fresh order number (the tail); one handed back unsettled keeps its own,
-- so it returns to where it was (the head). A waiting message's order lives only in its score; the
-- fetch that leases it keeps it in field 'o:' for the hand-back. Priority 0 has no 'p:' field.
local PRIORITY_SPAN = 17592186044416

local function enterReady(readyKey, msgKey, seqKey, mid, keepOrder)
  local fields = redis.call('HMGET', msgKey, 'p:' .. mid, 'o:' .. mid)
  local priority = tonumber(fields[1]) or 0
  local order = keepOrder and tonumber(fields[2]) or nil
  if not order then
    order = redis.call('INCR', seqKey)
  end
  redis.call('ZADD', readyKey, (9 - priority) * PRIORITY_SPAN + order, mid)
end

-- The order number within a ready-set score.
local function orderOf(score)
  return tonumber(score) % PRIORITY_SPAN
end
