--- @include "includes/body-prefix"
--- @include "includes/body-id"
-- A message lives in one hash of its queue, as fields '<f>:<mid>': b body, p priority, d deliveries,
-- o order number, t token of its current delivery, i the publisher's message id (none when the body
-- names it, see body-id), h its headers and
-- properties (a JSON object with "headers" and/or "properties").
local function forget(msgKey, mid)
  redis.call('HDEL', msgKey, 'b:' .. mid, 'p:' .. mid, 'd:' .. mid, 'o:' .. mid, 't:' .. mid, 'i:' .. mid, 'h:' .. mid)
end

-- Only the current holder may settle or renew: the message is leased and carries the token handed
-- out with that delivery. A delivery whose lease ended and was reclaimed is stale.
local function holds(activeKey, msgKey, mid, token)
  return redis.call('ZSCORE', activeKey, mid) ~= false and redis.call('HGET', msgKey, 't:' .. mid) == token
end

-- Appends a dead-letter record (the oldest beyond `limit` are dropped) and forgets the message.
-- With `keep`, the record holds only the body's first `keep` bytes and its size (`bodyBytes`).
-- Returns the message id the record names.
local function deadLetter(msgKey, deadKey, mid, queue, reason, at, limit, keep)
  local fields = redis.call('HMGET', msgKey, 'b:' .. mid, 'i:' .. mid, 'h:' .. mid, 'p:' .. mid)
  local body = fields[1] or ''
  local record = {
    messageId = messageIdOf(fields[2], body, mid),
    queue = queue,
    body = body,
    reason = reason,
    at = at,
    priority = tonumber(fields[4]) or 0,
  }
  if keep then
    record.body = bodyPrefix(body, keep)
    record.bodyBytes = #body
  end
  local json = cjson.encode(record)
  -- Headers and properties are spliced in as they were stored: a cjson round trip would turn an
  -- empty array into an empty object.
  if fields[3] and fields[3] ~= '' then
    json = string.sub(json, 1, -2) .. ',' .. string.sub(fields[3], 2)
  end
  redis.call('RPUSH', deadKey, json)
  redis.call('LTRIM', deadKey, -limit, -1)
  forget(msgKey, mid)
  return record.messageId
end
