--[[
  Adds a message to a queue: ready now, or delayed until it falls due.

  KEYS[1] ready    ZSET  mid -> priority/order score
  KEYS[2] delayed  ZSET  mid -> due time (epoch ms)
  KEYS[3] active   ZSET  mid -> lease end (epoch ms)
  KEYS[4] msg      HASH  message fields
  KEYS[5] seq      STRING counter for message ids and order numbers
  KEYS[6] wake     ZSET  wake-up marker

  ARGV[1] body
  ARGV[2] priority (0-9, higher first)
  ARGV[3] delay in ms (0 = ready now)
  ARGV[4] publisher's message id ('' = none)
  ARGV[5] headers and properties, JSON ('' = none)

  Output: the broker's message id (mid).
]]
--- @include "includes/enqueue"

return enqueue(ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5])
