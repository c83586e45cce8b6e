--[[
  Pauses or resumes a schedule. A change gets the next version (claims made against the old one are
  refused); resuming counts ticks from now, so ticks missed while paused do not fire. Every watcher
  is told of a change.

  KEYS[1] states   HASH  schedule id → state JSON

  ARGV[1] schedule id
  ARGV[2] "1" to pause, "0" to resume
  ARGV[3] now (epoch ms)
  ARGV[4] change channel

  Output: 1 if the schedule exists, else 0.
]]
local states = KEYS[1]
local id = ARGV[1]
local raw = redis.call('HGET', states, id)
if not raw then return 0 end
local state = cjson.decode(raw)
local paused = ARGV[2] == '1'
if state.paused == paused then return 1 end
state.paused = paused
state.version = state.version + 1
if not paused then state.since = tonumber(ARGV[3]) end
redis.call('HSET', states, id, cjson.encode(state))
redis.call('PUBLISH', ARGV[4], cjson.encode({ kind = 'put', id = id }))
return 1
