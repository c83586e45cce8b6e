--[[
  Keeps a message of a kombu-layout queue in `unacked` until it is due (an early ETA, a retry's
  countdown), replacing its entry, scored so that it falls visible at its due time: any kombu
  consumer's visibility-timeout restore (Celeriac's at that time, Celery's at its next check) puts
  it back on its queue then. A restart loses nothing: the message stays in Redis.

  KEYS[1] unacked        HASH
  KEYS[2] unacked_index  ZSET

  ARGV[1] delivery tag
  ARGV[2] fencing token of the delivery
  ARGV[3] the new entry ('[payload, exchange, routing key]')
  ARGV[4] delay in ms
  ARGV[5] visibility timeout in ms

  Output: 1, or 0 when the delivery is stale.
]]
--- @include "includes/now"
--- @include "includes/kombu"

if not holdsEntry(KEYS[1], ARGV[1], ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[2], seconds(nowMs() + tonumber(ARGV[4]) - tonumber(ARGV[5])), ARGV[1])
return 1
