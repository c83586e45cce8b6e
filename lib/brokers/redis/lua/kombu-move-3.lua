--[[
  Puts a delivered message of a kombu-layout queue back on a list, atomically with removing its
  unacked entry: a requeue (to the tail, read last), a closing consumer's give-back or a
  visibility-timeout restore (to the head, read next, as kombu restores).

  KEYS[1] unacked        HASH
  KEYS[2] unacked_index  ZSET
  KEYS[3] the list the message goes to

  ARGV[1] delivery tag
  ARGV[2] fencing token (SHA-1 of the entry the caller read)
  ARGV[3] the message to push (kombu JSON)
  ARGV[4] 'tail' (LPUSH) or 'head' (RPUSH)
  ARGV[5] for a restore, the newest unacked_index score that is visible again ('' = no check)

  Output: 1, or 0 when the entry changed, went, or was renewed meanwhile.
]]
--- @include "includes/kombu"

if not holdsEntry(KEYS[1], ARGV[1], ARGV[2]) then
  return 0
end
if ARGV[5] ~= '' then
  local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
  if not score or tonumber(score) > tonumber(ARGV[5]) then
    return 0
  end
end
forgetEntry(KEYS[1], KEYS[2], ARGV[1])
if ARGV[4] == 'head' then
  redis.call('RPUSH', KEYS[3], ARGV[3])
else
  redis.call('LPUSH', KEYS[3], ARGV[3])
end
return 1
