--[[
  Adds a batch of messages to a queue in one step, in order, each ready now or delayed, and with
  each one, where given, a result backend's record stored only if absent (broker and result backend
  on one standalone Redis: the tasks' PENDING records). A batch is all or nothing for the queue.

  KEYS[1] ready    ZSET  mid -> priority/order score
  KEYS[2] delayed  ZSET  mid -> due time (epoch ms)
  KEYS[3] active   ZSET  mid -> lease end (epoch ms)
  KEYS[4] msg      HASH  message fields
  KEYS[5] seq      STRING counter for message ids and order numbers
  KEYS[6] wake     ZSET  wake-up marker
  KEYS[7...] record STRING one per message when ARGV[2] is not '' (the result backend's records)

  ARGV[1] number of messages n
  ARGV[2] records' time to live in ms ('' = no records)
  ARGV[3...] per message, 5 values: body, priority (0-9), delay in ms (0 = ready now), publisher's
             message id ('' = none), headers and properties JSON ('' = none); then, with records,
             the n record values in the same order

  Output: the number of messages added.
]]
--- @include "includes/enqueue"

local count = tonumber(ARGV[1])
local ttl = ARGV[2]
local records = 3 + count * 5
for i = 0, count - 1 do
  local at = 3 + i * 5
  if ttl ~= '' then
    redis.call('SET', KEYS[7 + i], ARGV[records + i], 'PX', ttl, 'NX')
  end
  enqueue(ARGV[at], ARGV[at + 1], tonumber(ARGV[at + 2]), ARGV[at + 3], ARGV[at + 4])
end
return count
