--[[
  Records one group member's final outcome (once, however often the member is redelivered) and
  decides whether this caller runs what follows the group: the member that completes the group or
  first fails it claims the continuation; a redelivered copy of the claimer may run it again until
  it is marked done. O(1) in the group size.

  KEYS[1] members  HASH   member index → outcome JSON
  KEYS[2] claim    STRING task id of the member that claimed the continuation
  KEYS[3] done     STRING present once the continuation ran

  ARGV[1] member index
  ARGV[2] outcome JSON
  ARGV[3] group size
  ARGV[4] member task id
  ARGV[5] "1" if the member succeeded, "0" if it failed
  ARGV[6] time to live in ms

  Output: { completed members, 1 if this caller fires the continuation else 0 }
]]
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
local completed = redis.call('HLEN', KEYS[1])
local fire = 0
if ARGV[5] == '0' or completed >= tonumber(ARGV[3]) then
  if redis.call('SET', KEYS[2], ARGV[4], 'NX', 'PX', ARGV[6]) then
    fire = 1
  elseif redis.call('GET', KEYS[2]) == ARGV[4] and redis.call('EXISTS', KEYS[3]) == 0 then
    fire = 1
  end
end
return { completed, fire }
