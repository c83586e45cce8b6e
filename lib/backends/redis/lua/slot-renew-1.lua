--[[
  Extends the leases of places still held under a concurrency limit.

  KEYS[1] holders  ZSET holder -> lease end (ms)

  ARGV[1] lease in ms
  ARGV[2..] holders

  Output: the holders that no longer held a place (their lease had ended).
]]
--- @include "includes/now"

local leaseEnd = nowMs() + tonumber(ARGV[1])
local lost = {}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], 'XX', leaseEnd, ARGV[i])
  else
    table.insert(lost, ARGV[i])
  end
end
if #lost < #ARGV - 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return lost
