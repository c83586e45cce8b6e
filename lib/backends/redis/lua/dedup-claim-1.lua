--[[
  Claims a deduplication key for a task, unless another task holds it.

  KEYS[1] key  STRING id of the task holding the key

  ARGV[1] task id
  ARGV[2] hold in ms

  Output: the id of the task that already held the key, or nil when ARGV[1] now holds it.
]]
local holder = redis.call('GET', KEYS[1])
if holder then
  return holder
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
