--[[
  Moves a delivered message of a kombu-layout queue to Celeriac's dead-letter list of the queue.

  KEYS[1] unacked        HASH
  KEYS[2] unacked_index  ZSET
  KEYS[3] dead           LIST  dead-letter records (JSON), oldest first

  ARGV[1] delivery tag
  ARGV[2] fencing token of the delivery
  ARGV[3] the dead-letter record (JSON)
  ARGV[4] most dead letters kept

  Output: 1, or 0 when the delivery is stale.
]]
--- @include "includes/kombu"

if not holdsEntry(KEYS[1], ARGV[1], ARGV[2]) then
  return 0
end
forgetEntry(KEYS[1], KEYS[2], ARGV[1])
redis.call('RPUSH', KEYS[3], ARGV[3])
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[4]), -1)
return 1
