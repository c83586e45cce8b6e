--[[
  Replays or drops dead letters of a queue: those whose message id is listed, or all of them. A
  replayed letter becomes a new message at the tail of its priority level, delivered zero times
  so far, with its body, publisher's message id, priority, headers and properties. The letters left
  keep their order. A letter that kept only the start of its body (bodyBytes: refused for its size)
  is never replayed; it stays until deleted.

  KEYS[1] ready    ZSET
  KEYS[2] delayed  ZSET
  KEYS[3] active   ZSET
  KEYS[4] msg      HASH
  KEYS[5] seq      STRING counter
  KEYS[6] wake     ZSET  wake-up marker
  KEYS[7] dead     LIST  dead-letter records (JSON), oldest first

  ARGV[1] 'replay' or 'delete'
  ARGV[2] '1' to select by the message ids that follow, '0' for every letter
  ARGV[3..] message ids

  Output: how many letters were replayed or dropped.
]]
--- @include "includes/now"
--- @include "includes/ready"
--- @include "includes/wake"
--- @include "includes/place"

-- The headers and properties a dead-letter record carries, as the text they were stored as: the
-- dead-letter script appended them after the record's own fields, whose keys are never these two
-- (and a key inside a JSON string always has its quotes escaped).
local function metaOf(raw)
  local at = string.find(raw, ',"headers":', 1, true) or string.find(raw, ',"properties":', 1, true)
  if not at then
    return nil
  end
  return '{' .. string.sub(raw, at + 1)
end

local replay = ARGV[1] == 'replay'
local wanted = nil
if ARGV[2] == '1' then
  wanted = {}
  for i = 3, #ARGV do
    wanted[ARGV[i]] = true
  end
end

local records = redis.call('LRANGE', KEYS[7], 0, -1)
local kept = {}
local count = 0
for _, raw in ipairs(records) do
  local ok, letter = pcall(cjson.decode, raw)
  local id = ok and type(letter) == 'table' and letter.messageId or nil
  local partial = ok and type(letter) == 'table' and letter.bodyBytes ~= nil
  if (wanted == nil or (id and wanted[id])) and not (replay and partial) then
    count = count + 1
    if replay and ok and type(letter.body) == 'string' then
      local mid = tostring(redis.call('INCR', KEYS[5]))
      local priority = tonumber(letter.priority) or 0
      redis.call('HSET', KEYS[4], 'b:' .. mid, letter.body, 'p:' .. mid, priority, 'd:' .. mid, 0)
      if id and id ~= '' then
        redis.call('HSET', KEYS[4], 'i:' .. mid, id)
      end
      local meta = metaOf(raw)
      if meta then
        redis.call('HSET', KEYS[4], 'h:' .. mid, meta)
      end
      place(mid, 0)
    end
  else
    table.insert(kept, raw)
  end
end

if count > 0 then
  redis.call('DEL', KEYS[7])
  for i = 1, #kept, 1000 do
    redis.call('RPUSH', KEYS[7], unpack(kept, i, math.min(i + 999, #kept)))
  end
end
return count
