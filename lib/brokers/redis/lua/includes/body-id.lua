-- The id a Celeriac envelope names at its head (`{"v":1,"id":"…"`), or nil. The publisher's message id
-- is the task id, so a message whose body starts with it stores no 'i:' field: a waiting message is
-- what a queue's memory holds most of. Only an id with no JSON escape in it is read this way, so the
-- id read back is exactly the one the publisher gave.
local function bodyId(body)
  return string.match(body, '^{"v":%d+,"id":"([^"\\]+)"')
end

-- The message id a delivery or dead letter names: the stored 'i:' field (as the publisher gave it;
-- '' for none), else the id at the body's head, else the broker's own id.
local function messageIdOf(stored, body, mid)
  if stored then
    return stored ~= '' and stored or mid
  end
  return bodyId(body or '') or mid
end
