--[[
  Settles a claimed tick once its task was published, and tells every watcher it fired.

  KEYS[1] states   HASH  schedule id → state JSON

  ARGV[1] schedule id
  ARGV[2] tick time (epoch ms)
  ARGV[3] task id of the tick
  ARGV[4] change channel

  Output: 1 if the claim was pending, else 0 (already settled, or the schedule is gone).
]]
local states = KEYS[1]
local id = ARGV[1]
local raw = redis.call('HGET', states, id)
if not raw then return 0 end
local state = cjson.decode(raw)
local pending = state.pending or {}
local fireAt = tonumber(ARGV[2])
for index, fire in ipairs(pending) do
  if fire.at == fireAt and fire.taskId == ARGV[3] then
    table.remove(pending, index)
    state.pending = pending
    redis.call('HSET', states, id, cjson.encode(state))
    redis.call('PUBLISH', ARGV[4], cjson.encode({ kind = 'fired', id = id, at = fireAt, taskId = ARGV[3] }))
    return 1
  end
end
return 0
