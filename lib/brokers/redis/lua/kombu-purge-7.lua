--[[
  Drops a kombu-layout queue's waiting messages (its lists, and those held in `unacked` until due)
  and its dead letters. Messages being processed are left to their consumers.

  KEYS[1] unacked        HASH
  KEYS[2] unacked_index  ZSET
  KEYS[3] dead           LIST
  KEYS[4] the queue's lists (1 of 4)
  KEYS[5] the queue's lists (2 of 4)
  KEYS[6] the queue's lists (3 of 4)
  KEYS[7] the queue's lists (4 of 4)

  ARGV[1] queue name

  Output: how many messages were dropped (dead letters not counted).
]]
--- @include "includes/kombu"

local dropped = 0
for i = 4, 7 do
  dropped = dropped + redis.call('LLEN', KEYS[i])
end
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7])
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local ok, parts = pcall(cjson.decode, all[i + 1])
  if ok and type(parts) == 'table' and parts[3] == ARGV[1] and type(parts[1]) == 'table' then
    local headers = parts[1].headers
    if type(headers) == 'table' and headers['x-celeriac-due'] ~= nil then
      forgetEntry(KEYS[1], KEYS[2], all[i])
      dropped = dropped + 1
    end
  end
end
return dropped
