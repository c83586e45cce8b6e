--[[
  One start under a shared rate limit: at most `limit` starts in any window of `window` ms (a sliding
  window of the starts themselves). A caller that may not start now is told how long to wait; a
  first-time caller also books a place in line, so a backlog is spread evenly over later windows
  instead of coming back all at once.

  KEYS[1] starts  ZSET start member -> start time (ms)
  KEYS[2] cursor  STRING time (ms) of the next place in line

  ARGV[1] limit: starts per window
  ARGV[2] window in ms
  ARGV[3] '1' when the caller has a booked place (it waited once already), else '0'
  ARGV[4] member naming this start (unique)

  Output: ms to wait; 0 when the start was counted and the caller may start now.
]]
--- @include "includes/now"

local starts, cursor = KEYS[1], KEYS[2]
local limit, window, booked = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1'
local now = nowMs()

redis.call('ZREMRANGEBYSCORE', starts, '-inf', now - window)
local count = redis.call('ZCARD', starts)
local nextPlace = tonumber(redis.call('GET', cursor) or '0')

-- A newcomer may not overtake callers already waiting in line.
if count < limit and (booked or nextPlace <= now) then
  redis.call('ZADD', starts, now, ARGV[4])
  redis.call('PEXPIRE', starts, window)
  return 0
end

-- When the window next has room: once its oldest counted start (among the last `limit`) leaves it.
local room = now
if count >= limit then
  local oldest = redis.call('ZRANGE', starts, count - limit, count - limit, 'WITHSCORES')
  room = tonumber(oldest[2]) + window
end
if booked then
  return math.max(1, math.ceil(room - now))
end

local place = math.max(nextPlace, room)
local following = place + window / limit
redis.call('SET', cursor, string.format('%.3f', following), 'PX', math.ceil(following - now + window))
return math.max(1, math.ceil(place - now))
