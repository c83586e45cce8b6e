--[[
  Stores a task's record with its time to live and tells the task's watchers, in one step, so a
  watcher woken by the message and a reader that looks afterwards see the same record. A final
  record also goes to the reply channel of the process that sent the task, if it named one.
  An attempt's write carries its fence: it is refused when a later attempt claimed the record
  (claim-1.lua), so a stale run overwrites nothing. A write without one keeps the stored fence.

  KEYS[1] record   STRING JSON of the task record

  ARGV[1] record JSON
  ARGV[2] time to live in ms
  ARGV[3] channel of the task's watchers
  ARGV[4] reply channel ('' = none)
  ARGV[5] task id (the reply message is '<task id>\n<record JSON>')
  ARGV[6] the writing attempt's fence ('' = not an attempt's write)

  Output: the number of subscribers that received the record, or -1 when the write was refused.
]]
--- @include "includes/fence"

local held = storedFence(KEYS[1])
local fence = held
if ARGV[6] ~= '' then
  fence = tonumber(ARGV[6])
  if held > fence then
    return -1
  end
end
local json = withFence(ARGV[1], fence)
redis.call('SET', KEYS[1], json, 'PX', ARGV[2])
if ARGV[4] ~= '' then
  redis.call('PUBLISH', ARGV[4], ARGV[5] .. '\n' .. json)
end
return redis.call('PUBLISH', ARGV[3], json)
