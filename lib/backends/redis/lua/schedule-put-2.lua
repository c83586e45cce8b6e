--[[
  Stores a schedule's definition unless the stored one has the same digest. A new or changed
  definition gets the next version and counts its ticks from now; pause state and tick history are
  kept. Every watcher is told.

  KEYS[1] specs    HASH  schedule id → definition JSON (never decoded here)
  KEYS[2] states   HASH  schedule id → state JSON (version, digest, paused, createdAt, since, last, pending)

  ARGV[1] schedule id
  ARGV[2] definition JSON
  ARGV[3] digest of the definition
  ARGV[4] now (epoch ms)
  ARGV[5] change channel

  Output: 1 if stored, 0 if the same definition was there already.
]]
local specs = KEYS[1]
local states = KEYS[2]
local id = ARGV[1]
local now = tonumber(ARGV[4])
local raw = redis.call('HGET', states, id)
local state
if raw then
  state = cjson.decode(raw)
  if state.digest == ARGV[3] and redis.call('HEXISTS', specs, id) == 1 then return 0 end
else
  state = { version = 0, paused = false, createdAt = now, pending = {} }
end
state.version = state.version + 1
state.digest = ARGV[3]
state.since = now
redis.call('HSET', specs, id, ARGV[2])
redis.call('HSET', states, id, cjson.encode(state))
redis.call('PUBLISH', ARGV[5], cjson.encode({ kind = 'put', id = id }))
return 1
