--[[
  Adds a message to a queue, ready now or delayed until it falls due, and stores a result backend's
  record in the same step (broker and result backend on one Redis: a task's PENDING record).

  KEYS[1] ready    ZSET  mid -> priority/order score
  KEYS[2] delayed  ZSET  mid -> due time (epoch ms)
  KEYS[3] active   ZSET  mid -> lease end (epoch ms)
  KEYS[4] msg      HASH  message fields
  KEYS[5] seq      STRING counter for message ids and order numbers
  KEYS[6] wake     ZSET  wake-up marker
  KEYS[7] record   STRING the result backend's record

  ARGV[1] body
  ARGV[2] priority (0-9, higher first)
  ARGV[3] delay in ms (0 = ready now)
  ARGV[4] publisher's message id ('' = none)
  ARGV[5] headers and properties, JSON ('' = none)
  ARGV[6] record value
  ARGV[7] record time to live in ms
  ARGV[8] '1' = store only if absent, '' = always
  ARGV[9...] channel, head pairs: once the record is stored, each channel gets its head and the value

  Output: the broker's message id (mid).
]]
--- @include "includes/enqueue"
--- @include "includes/companion"

writeCompanion(KEYS[7], 6)
return enqueue(ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5])
