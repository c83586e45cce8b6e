--[[
  Stores a task's record with its time to live and tells the task's watchers, in one step, so a
  watcher woken by the message and a reader that looks afterwards see the same record.

  KEYS[1] record   STRING JSON of the task record

  ARGV[1] record JSON
  ARGV[2] time to live in ms
  ARGV[3] channel of the task's watchers

  Output: the number of subscribers that received the record.
]]
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return redis.call('PUBLISH', ARGV[3], ARGV[1])
