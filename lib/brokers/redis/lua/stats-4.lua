--[[
  Counts one queue's messages by where they are, in one step so none is counted twice.

  KEYS[1] ready    ZSET
  KEYS[2] delayed  ZSET
  KEYS[3] active   ZSET  delivered, not yet settled
  KEYS[4] dead     LIST  dead-letter records

  Output: { ready, delayed, active, dead }
]]
return {
  redis.call('ZCARD', KEYS[1]),
  redis.call('ZCARD', KEYS[2]),
  redis.call('ZCARD', KEYS[3]),
  redis.call('LLEN', KEYS[4]),
}
