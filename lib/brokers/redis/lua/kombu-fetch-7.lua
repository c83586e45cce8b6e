--[[
  Takes messages of a kombu-layout queue for one consumer: pops up to ARGV[1] elements from the
  queue's priority lists (read first to last, each from its right end, as kombu's BRPOP does) and
  records each in `unacked` / `unacked_index` in the same step, so none is lost between the two.
  An element the consumer already popped with BRPOP (ARGV[5] = '1') is recorded first. An element
  that is not a kombu message (not a JSON object, or no properties.delivery_tag) is dead-lettered
  with the reason, not delivered and not dropped; so is an element larger than ARGV[7], unread, its
  record keeping only its first ARGV[8] bytes and its size.

  KEYS[1] unacked        HASH  delivery tag -> '[payload, exchange, routing key]'
  KEYS[2] unacked_index  ZSET  delivery tag -> delivery time (epoch seconds)
  KEYS[3] dead           LIST  Celeriac dead-letter records of the queue (JSON)
  KEYS[4] the queue's lists, one per priority step, in reading order (1 of 4)
  KEYS[5] the queue's lists, one per priority step, in reading order (2 of 4)
  KEYS[6] the queue's lists, one per priority step, in reading order (3 of 4)
  KEYS[7] the queue's lists, one per priority step, in reading order (4 of 4)

  ARGV[1] how many messages to take, counting ARGV[6] (free prefetch slots)
  ARGV[2] queue name (the routing key of its unacked entries; dead-letter records)
  ARGV[3] most dead letters kept
  ARGV[4] visibility timeout in ms
  ARGV[5] '1' when ARGV[6] is an element already popped
  ARGV[6] that element
  ARGV[7] largest element handed out, in bytes (0 = no limit)
  ARGV[8] how many bytes of a larger element its dead-letter record keeps
  ARGV[9] the reason recorded for it, '{bytes}' standing for the element's size

  Output: { now (ms), when the oldest unacked entry falls visible (ms; -1 = none), { message id, size of
  each element dead-lettered for its size }, then per message: delivery tag, fencing token (SHA-1 of its
  entry), element }
]]
--- @include "includes/now"
--- @include "includes/kombu"
--- @include "includes/body-prefix"

local unacked, index, dead = KEYS[1], KEYS[2], KEYS[3]
local queue = ARGV[2]
local now = nowMs()
local refused = {}
local out = { now, -1, refused }
local maxBody = tonumber(ARGV[7])

local function tagOf(raw)
  local ok, message = pcall(cjson.decode, raw)
  if not ok then
    return nil, 'not JSON'
  end
  if type(message) ~= 'table' then
    return nil, 'not a JSON object'
  end
  local props = message.properties
  if type(props) ~= 'table' or type(props.delivery_tag) ~= 'string' or props.delivery_tag == '' then
    return nil, 'no properties.delivery_tag'
  end
  return props.delivery_tag
end

local function bury(record)
  redis.call('RPUSH', dead, cjson.encode(record))
  redis.call('LTRIM', dead, -tonumber(ARGV[3]), -1)
end

local function take(raw)
  if maxBody > 0 and #raw > maxBody then
    local id = redis.sha1hex(raw)
    local reason = string.gsub(ARGV[9], '{bytes}', tostring(#raw))
    bury({ messageId = id, queue = queue, body = bodyPrefix(raw, tonumber(ARGV[8])), bodyBytes = #raw,
      reason = reason, at = now, priority = 0 })
    table.insert(refused, id)
    table.insert(refused, #raw)
    return
  end
  local tag, why = tagOf(raw)
  if not tag then
    bury({ messageId = redis.sha1hex(raw), queue = queue, body = raw,
      reason = 'not a kombu message (' .. why .. ')', at = now, priority = 0 })
    return
  end
  local entry = '[' .. raw .. ',"",' .. cjson.encode(queue) .. ']'
  redis.call('HSET', unacked, tag, entry)
  redis.call('ZADD', index, seconds(now), tag)
  table.insert(out, tag)
  table.insert(out, redis.sha1hex(entry))
  table.insert(out, raw)
end

local left = tonumber(ARGV[1])
if ARGV[5] == '1' then
  take(ARGV[6])
  left = left - 1
end
for i = 4, 7 do
  while left > 0 do
    local raw = redis.call('RPOP', KEYS[i])
    if not raw then
      break
    end
    take(raw)
    left = left - 1
  end
end

local oldest = redis.call('ZRANGE', index, 0, 0, 'WITHSCORES')
if oldest[2] then
  out[2] = math.floor(tonumber(oldest[2]) * 1000) + tonumber(ARGV[4])
end
return out
