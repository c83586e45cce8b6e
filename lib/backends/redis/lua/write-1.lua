--[[
  Stores a task's record with its time to live and tells the task's watchers, in one step, so a
  watcher woken by the message and a reader that looks afterwards see the same record. A final
  record also goes to the reply channel of the process that sent the task, if it named one.

  KEYS[1] record   STRING JSON of the task record

  ARGV[1] record JSON
  ARGV[2] time to live in ms
  ARGV[3] channel of the task's watchers
  ARGV[4] reply channel ('' = none)
  ARGV[5] task id (the reply message is '<task id>\n<record JSON>')

  Output: the number of subscribers that received the record.
]]
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[4] ~= '' then
  redis.call('PUBLISH', ARGV[4], ARGV[5] .. '\n' .. ARGV[1])
end
return redis.call('PUBLISH', ARGV[3], ARGV[1])
