--[[
  Counts the messages waiting in a queue: ready now plus delayed (not those being processed).
  One script, so a message promoted between two reads is not counted twice.

  KEYS[1] ready    ZSET
  KEYS[2] delayed  ZSET

  Output: the count.
]]
return redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2])
