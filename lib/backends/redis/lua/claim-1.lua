--[[
  Claims a new attempt of a task: the record's fence goes up by one, so writes of every earlier
  attempt (a run whose delivery went to another worker) are refused from now on (write-1.lua).
  Nothing is claimed for a redelivered copy of a task that already finished (at this retry or a
  later one): that record is returned as it is.

  KEYS[1] record   STRING JSON of the task record

  ARGV[1] record JSON: STARTED (with ARGV[5]) or RECEIVED (stored only where there was none)
  ARGV[2] time to live in ms
  ARGV[3] channel of the task's watchers
  ARGV[4] retries of the delivered envelope
  ARGV[5] '1' = store ARGV[1] and tell the watchers (the task is STARTED), '' = keep the stored state

  Output: { the record that was there before (JSON, or nil), the attempt's fence }
]]
--- @include "includes/finished"
--- @include "includes/fence"

local previous = redis.call('GET', KEYS[1])
if finishedAt(previous, ARGV[4]) then
  return { previous, fenceOf(previous) }
end
local fence = fenceOf(previous) + 1
if ARGV[5] == '1' then
  local json = withFence(ARGV[1], fence)
  redis.call('SET', KEYS[1], json, 'PX', ARGV[2])
  redis.call('PUBLISH', ARGV[3], json)
elseif previous then
  redis.call('SET', KEYS[1], withFence(previous, fence), 'KEEPTTL')
else
  redis.call('SET', KEYS[1], withFence(ARGV[1], fence), 'PX', ARGV[2])
end
return { previous or false, fence }
