--[[
  Re-arms the wake-up marker when ready work exists. A consumer that stops while its blocking read
  may already have taken the marker calls this, so no ready message is left without a wake-up.

  KEYS[1] ready    ZSET
  KEYS[2] wake     ZSET  wake-up marker

  Output: 1 when the marker was set, else 0.
]]
--- @include "includes/wake"

if redis.call('ZCARD', KEYS[1]) > 0 then
  signal(KEYS[2])
  return 1
end
return 0
