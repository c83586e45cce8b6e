--[[
  Once a task has finished, keeps its deduplication key only until the end of its time to live.

  KEYS[1] key  STRING id of the task holding the key

  ARGV[1] task id
  ARGV[2] keep until (epoch ms)

  Output: 1 when the key was the task's, else 0.
]]
--- @include "includes/now"

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
if tonumber(ARGV[2]) <= nowMs() then
  redis.call('DEL', KEYS[1])
else
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
end
return 1
