--[[
  Reads the unacked entries that are visible again (delivered longer than the visibility timeout
  ago, or held until a due time now passed), oldest first, for a restore. Index members without an
  entry (left by a client that died between its two writes) are dropped.

  KEYS[1] unacked        HASH
  KEYS[2] unacked_index  ZSET

  ARGV[1] visibility timeout in ms
  ARGV[2] most entries read

  Output: { newest visible score (the restore's check), then per entry: delivery tag, fencing token
  (SHA-1 of the entry), entry }
]]
--- @include "includes/now"
--- @include "includes/kombu"

local ceil = seconds(nowMs() - tonumber(ARGV[1]))
local out = { ceil }
for _, tag in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ceil, 'LIMIT', 0, tonumber(ARGV[2]))) do
  local entry = redis.call('HGET', KEYS[1], tag)
  if entry then
    table.insert(out, tag)
    table.insert(out, redis.sha1hex(entry))
    table.insert(out, entry)
  else
    redis.call('ZREM', KEYS[2], tag)
  end
end
return out
