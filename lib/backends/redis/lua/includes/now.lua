-- Server time in epoch ms: every worker measures windows and leases on the same (Redis) clock.
local function nowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
