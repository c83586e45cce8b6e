--[[
  Publishes a message to a kombu-layout queue with a delay and no ETA of its own: it waits in
  `unacked`, scored to fall visible at its due time, and a visibility-timeout restore puts it on
  its queue then (as `kombu-hold-2` does for a delivered message).

  KEYS[1] unacked        HASH
  KEYS[2] unacked_index  ZSET

  ARGV[1] delivery tag
  ARGV[2] the entry ('[payload, exchange, routing key]')
  ARGV[3] delay in ms
  ARGV[4] visibility timeout in ms

  Output: 1
]]
--- @include "includes/now"
--- @include "includes/kombu"

redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], seconds(nowMs() + tonumber(ARGV[3]) - tonumber(ARGV[4])), ARGV[1])
return 1
