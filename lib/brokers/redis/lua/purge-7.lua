--[[
  Drops up to ARGV[1] waiting messages (ready or delayed) of a queue, and its dead letters. Messages
  being processed are left to their consumers. Called until it returns 0, so no call runs long.
  With nothing in flight either, the queue's last keys go too: the counter may restart, since every
  delivery token also carries the server time it was handed out at.

  KEYS[1] ready    ZSET
  KEYS[2] delayed  ZSET
  KEYS[3] msg      HASH  message fields
  KEYS[4] dead     LIST
  KEYS[5] wake     ZSET  wake-up marker
  KEYS[6] active   ZSET
  KEYS[7] seq      STRING counter

  ARGV[1] most messages dropped by this call

  Output: how many messages were dropped.
]]
--- @include "includes/message"

local limit = tonumber(ARGV[1])
local dropped = 0
for _, key in ipairs({ KEYS[1], KEYS[2] }) do
  local mids = redis.call('ZRANGE', key, 0, limit - dropped - 1)
  for _, mid in ipairs(mids) do
    forget(KEYS[3], mid)
  end
  if #mids > 0 then
    redis.call('ZREM', key, unpack(mids))
  end
  dropped = dropped + #mids
  if dropped >= limit then
    return dropped
  end
end
redis.call('DEL', KEYS[4], KEYS[5])
if redis.call('ZCARD', KEYS[6]) == 0 then
  redis.call('DEL', KEYS[3], KEYS[7])
end
return dropped
