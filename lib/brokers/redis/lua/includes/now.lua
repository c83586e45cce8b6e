-- Server time in epoch ms. Every deadline and due time is measured on the Redis clock, so workers
-- whose clocks disagree still agree on when a lease ends or a delayed message is due.
local function nowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Microseconds since the epoch, as text: tells apart counters that restarted after a purge.
local function clockTag()
  local time = redis.call('TIME')
  return string.format('%s%06d', time[1], tonumber(time[2]))
end
