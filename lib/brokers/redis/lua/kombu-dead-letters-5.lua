--[[
  Replays or drops dead letters of a kombu-layout queue. The caller read the records and, for a
  replay, built each one's new message; a record that went meanwhile (replayed or dropped by another
  client) is skipped, so nothing is replayed twice.

  KEYS[1] dead  LIST  dead-letter records (JSON)
  KEYS[2] the queue's lists, one per priority step (1 of 4)
  KEYS[3] the queue's lists, one per priority step (2 of 4)
  KEYS[4] the queue's lists, one per priority step (3 of 4)
  KEYS[5] the queue's lists, one per priority step (4 of 4)

  ARGV[1] 'replay' or 'delete'
  ARGV[2..] triples of record (exact text), list number (1-4), new message (kombu JSON)

  Output: how many letters were replayed or dropped.
]]
local count = 0
for i = 2, #ARGV, 3 do
  if redis.call('LREM', KEYS[1], 1, ARGV[i]) > 0 then
    count = count + 1
    if ARGV[1] == 'replay' then
      redis.call('LPUSH', KEYS[1 + tonumber(ARGV[i + 1])], ARGV[i + 2])
    end
  end
end
return count
