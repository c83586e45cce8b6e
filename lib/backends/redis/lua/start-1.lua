--[[
  Marks a task STARTED unless it already finished: a redelivered copy of a task that succeeded,
  failed or was revoked (at this retry or a later one) leaves its record alone. One round trip
  for the check and the write, and watchers are told in the same step. The stored fence is kept.

  KEYS[1] record   STRING JSON of the task record

  ARGV[1] STARTED record JSON
  ARGV[2] time to live in ms
  ARGV[3] channel of the task's watchers
  ARGV[4] retries of the delivered envelope

  Output: the record that was there before (JSON), or nil.
]]
--- @include "includes/finished"
--- @include "includes/fence"

local previous = redis.call('GET', KEYS[1])
if finishedAt(previous, ARGV[4]) then
  return previous
end
local json = withFence(ARGV[1], fenceOf(previous))
redis.call('SET', KEYS[1], json, 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], json)
return previous
