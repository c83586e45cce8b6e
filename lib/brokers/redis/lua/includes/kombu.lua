-- kombu's Redis layout: a delivered message is an entry of the `unacked` hash (delivery tag ->
-- '[payload, exchange, routing key]') indexed by delivery time in `unacked_index` (epoch seconds).
-- Celeriac fences each delivery by the SHA-1 of the entry it was handed: a consumer whose entry was
-- restored (visibility timeout) and taken again by another consumer no longer holds it.
local function holdsEntry(unackedKey, tag, token)
  local entry = redis.call('HGET', unackedKey, tag)
  return entry ~= false and redis.sha1hex(entry) == token
end

local function forgetEntry(unackedKey, indexKey, tag)
  redis.call('HDEL', unackedKey, tag)
  redis.call('ZREM', indexKey, tag)
end

-- Epoch seconds with millisecond precision, the unit of kombu's unacked_index scores.
local function seconds(ms)
  return string.format('%.3f', ms / 1000)
end
