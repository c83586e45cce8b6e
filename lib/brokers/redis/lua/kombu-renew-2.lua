--[[
  Marks deliveries of kombu-layout queues as delivered now, so no visibility-timeout restore (ours
  or Celery's) hands them to another consumer while their task still runs.

  KEYS[1] unacked        HASH
  KEYS[2] unacked_index  ZSET

  ARGV[1..] pairs of delivery tag, fencing token

  Output: the tags whose delivery was already lost (restored, or settled elsewhere).
]]
--- @include "includes/now"
--- @include "includes/kombu"

local score = seconds(nowMs())
local lost = {}
for i = 1, #ARGV, 2 do
  if holdsEntry(KEYS[1], ARGV[i], ARGV[i + 1]) then
    redis.call('ZADD', KEYS[2], 'XX', score, ARGV[i])
  else
    table.insert(lost, ARGV[i])
  end
end
return lost
