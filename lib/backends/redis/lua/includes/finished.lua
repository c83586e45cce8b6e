-- Whether a stored record (JSON, or nil) is a final state at retry `retries` or a later one: what a
-- redelivered copy of a finished task finds. `state` in Celeriac's record format, `status` in Celery's.
local function finishedAt(previous, retries)
  if not previous then
    return false
  end
  local ok, record = pcall(cjson.decode, previous)
  local state = ok and (record.state or record.status)
  local finished = state == 'SUCCESS' or state == 'FAILURE' or state == 'REVOKED'
  return finished and (tonumber(record.retries) or 0) >= tonumber(retries)
end
