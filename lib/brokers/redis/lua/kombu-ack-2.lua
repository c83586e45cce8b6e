--[[
  Removes a delivered message of a kombu-layout queue for good, as kombu's ack does.

  KEYS[1] unacked        HASH
  KEYS[2] unacked_index  ZSET

  ARGV[1] delivery tag
  ARGV[2] fencing token handed out with the delivery

  Output: 1, or 0 when the delivery is stale (restored and taken again, or settled elsewhere).
]]
--- @include "includes/kombu"

if not holdsEntry(KEYS[1], ARGV[1], ARGV[2]) then
  return 0
end
forgetEntry(KEYS[1], KEYS[2], ARGV[1])
return 1
