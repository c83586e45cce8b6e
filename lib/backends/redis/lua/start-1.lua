--[[
  Marks a task STARTED unless it already finished: a redelivered copy of a task that succeeded,
  failed or was revoked (at this retry or a later one) leaves its record alone. One round trip
  for the check and the write, and watchers are told in the same step.

  KEYS[1] record   STRING JSON of the task record

  ARGV[1] STARTED record JSON
  ARGV[2] time to live in ms
  ARGV[3] channel of the task's watchers
  ARGV[4] retries of the delivered envelope

  Output: the record that was there before (JSON), or nil.
]]
local previous = redis.call('GET', KEYS[1])
if previous then
  local ok, record = pcall(cjson.decode, previous)
  -- `state` in Celeriac's record format, `status` in Celery's.
  local state = ok and (record.state or record.status)
  local finished = state == 'SUCCESS' or state == 'FAILURE' or state == 'REVOKED'
  if finished and (tonumber(record.retries) or 0) >= tonumber(ARGV[4]) then
    return previous
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[1])
return previous
