--[[
  Takes up to ARGV[1] messages for one consumer, after making due delayed messages ready and
  handing messages whose lease ended (their holder died or hung) back to the head of the ready set.

  KEYS[1] ready    ZSET  mid -> priority/order score
  KEYS[2] delayed  ZSET  mid -> due time
  KEYS[3] active   ZSET  mid -> lease end
  KEYS[4] msg      HASH  message fields
  KEYS[5] seq      STRING counter
  KEYS[6] wake     ZSET  wake-up marker
  KEYS[7] dead     LIST  dead-letter records (JSON)

  ARGV[1] how many messages to take (free prefetch slots)
  ARGV[2] lease in ms
  ARGV[3] deliveries after which an ended lease dead-letters the message (0 = never)
  ARGV[4] queue name (for dead-letter records)
  ARGV[5] most delayed messages promoted, and leases reclaimed, per call (bounds the script's run time)
  ARGV[6] most dead letters kept
  ARGV[7] largest body handed out, in bytes (0 = no limit); a larger one is dead-lettered unread
  ARGV[8] how many bytes of such a body its dead-letter record keeps
  ARGV[9] the reason recorded for it, '{bytes}' standing for the body's size

  Output: { now, nextWake (-1 = none), { messageId, size of each message dead-lettered for its size },
  then per message: mid, token, deliveries, priority, messageId, body, headers and properties (JSON or '') }
  nextWake is when a delayed message falls due or a lease ends: the caller sleeps at most until then.
]]
--- @include "includes/now"
--- @include "includes/ready"
--- @include "includes/wake"
--- @include "includes/message"

local now = nowMs()
local limit = tonumber(ARGV[5])

for _, mid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)) do
  redis.call('ZREM', KEYS[2], mid)
  enterReady(KEYS[1], KEYS[4], KEYS[5], mid, false)
end

local maxDeliveries = tonumber(ARGV[3])
for _, mid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, limit)) do
  redis.call('ZREM', KEYS[3], mid)
  redis.call('HDEL', KEYS[4], 't:' .. mid)
  local deliveries = tonumber(redis.call('HGET', KEYS[4], 'd:' .. mid)) or 0
  if maxDeliveries > 0 and deliveries >= maxDeliveries then
    local reason = 'delivered ' .. deliveries .. ' times without an outcome (worker died?)'
    deadLetter(KEYS[4], KEYS[7], mid, ARGV[4], reason, now, tonumber(ARGV[6]))
  else
    enterReady(KEYS[1], KEYS[4], KEYS[5], mid, true)
  end
end

local before = nextWake(KEYS[2], KEYS[3])
local refused = {}
local out = { now, -1, refused }
local leaseEnd = now + tonumber(ARGV[2])
local count = tonumber(ARGV[1])
local maxBody = tonumber(ARGV[7])
local taken = count > 0 and redis.call('ZPOPMIN', KEYS[1], count) or {}
local tag = clockTag()

-- Oversized: recorded with a bounded body, never handed out (nor copied to the consumer).
local function refuseOversized(mid)
  if maxBody <= 0 then
    return false
  end
  local size = redis.call('HSTRLEN', KEYS[4], 'b:' .. mid)
  if size <= maxBody then
    return false
  end
  local reason = string.gsub(ARGV[9], '{bytes}', tostring(size))
  local id = deadLetter(KEYS[4], KEYS[7], mid, ARGV[4], reason, now, tonumber(ARGV[6]), tonumber(ARGV[8]))
  table.insert(refused, id)
  table.insert(refused, size)
  return true
end

for i = 1, #taken, 2 do
  local mid = taken[i]
  if not refuseOversized(mid) then
    local fields = redis.call('HMGET', KEYS[4], 'b:' .. mid, 'p:' .. mid, 'i:' .. mid, 'h:' .. mid)
    local token = redis.call('INCR', KEYS[5]) .. '@' .. tag
    local deliveries = redis.call('HINCRBY', KEYS[4], 'd:' .. mid, 1)
    redis.call('HSET', KEYS[4], 't:' .. mid, token, 'o:' .. mid, orderOf(taken[i + 1]))
    redis.call('ZADD', KEYS[3], leaseEnd, mid)
    table.insert(out, mid)
    table.insert(out, token)
    table.insert(out, deliveries)
    table.insert(out, tonumber(fields[2]) or 0)
    table.insert(out, messageIdOf(fields[3], fields[1], mid))
    table.insert(out, fields[1] or '')
    table.insert(out, fields[4] or '')
  end
end

-- Work left behind wakes the next consumer; so does a new lease that ends before anything a sleeping
-- consumer knows of, so that a lease whose holder dies is reclaimed on time.
local after = nextWake(KEYS[2], KEYS[3])
if redis.call('ZCARD', KEYS[1]) > 0 or (after and (not before or after < before)) then
  signal(KEYS[6])
end
if after then
  out[2] = after
end
return out
