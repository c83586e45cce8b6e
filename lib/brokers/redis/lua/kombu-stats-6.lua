--[[
  Counts one kombu-layout queue's messages: ready on its lists, held in `unacked` until due, being
  processed (other unacked entries routed to it), and dead-lettered. `unacked` is shared by every
  queue of the namespace, so this reads all of it: meant for monitoring, not for hot paths.

  KEYS[1] unacked  HASH
  KEYS[2] dead     LIST
  KEYS[3] the queue's lists (1 of 4)
  KEYS[4] the queue's lists (2 of 4)
  KEYS[5] the queue's lists (3 of 4)
  KEYS[6] the queue's lists (4 of 4)

  ARGV[1] queue name

  Output: { ready, held, in flight, dead }
]]
local ready = 0
for i = 3, 6 do
  ready = ready + redis.call('LLEN', KEYS[i])
end
local held, active = 0, 0
for _, entry in ipairs(redis.call('HVALS', KEYS[1])) do
  local ok, parts = pcall(cjson.decode, entry)
  if ok and type(parts) == 'table' and parts[3] == ARGV[1] and (parts[2] == '' or parts[2] == ARGV[1]) then
    local headers = type(parts[1]) == 'table' and parts[1].headers or nil
    if type(headers) == 'table' and headers['x-celeriac-due'] ~= nil then
      held = held + 1
    else
      active = active + 1
    end
  end
end
return { ready, held, active, redis.call('LLEN', KEYS[2]) }
