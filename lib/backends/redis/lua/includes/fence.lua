-- A record written by an attempt that claimed a fence starts with it: '{"fence":<n>,…'. Put first,
-- it is read from the key's first bytes (GETRANGE), without copying or parsing a record that may hold
-- a large result. No fence (0) is written as none.
local FENCE_PREFIX_BYTES = 31

local function fenceOf(head)
  if not head then
    return 0
  end
  return tonumber(string.match(head, '^{"fence":(%d+),')) or 0
end

local function storedFence(recordKey)
  return fenceOf(redis.call('GETRANGE', recordKey, 0, FENCE_PREFIX_BYTES))
end

local function withFence(json, fence)
  if fence == 0 then
    return json
  end
  local rest = string.match(json, '^{"fence":%d+,(.*)$')
  return '{"fence":' .. fence .. ',' .. (rest or string.sub(json, 2))
end
