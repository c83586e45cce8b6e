--[[
  Removes a schedule and tells every watcher.

  KEYS[1] specs    HASH  schedule id → definition JSON
  KEYS[2] states   HASH  schedule id → state JSON

  ARGV[1] schedule id
  ARGV[2] change channel

  Output: 1 if it existed, else 0.
]]
local id = ARGV[1]
local removed = redis.call('HDEL', KEYS[1], id) + redis.call('HDEL', KEYS[2], id)
if removed == 0 then return 0 end
redis.call('PUBLISH', ARGV[2], cjson.encode({ kind = 'remove', id = id }))
return 1
