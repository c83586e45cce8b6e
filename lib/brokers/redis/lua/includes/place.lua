--[[
  place(mid, delay): puts message `mid` on the delayed set, due in `delay` ms, or straight into the
  ready set, and wakes one sleeping consumer when that changes what consumers wait for. Uses the
  queue's standard key order: KEYS[1] ready, KEYS[2] delayed, KEYS[3] active, KEYS[4] msg,
  KEYS[5] seq, KEYS[6] wake.
]]
--- @include "includes/now"
--- @include "includes/ready"
--- @include "includes/wake"

local function place(mid, delay)
  if delay > 0 then
    local before = nextWake(KEYS[2], KEYS[3])
    local due = nowMs() + delay
    redis.call('ZADD', KEYS[2], due, mid)
    -- Sleeping consumers timed their wake-up for the earliest due time they knew; tell one of them.
    if not before or due < before then
      signal(KEYS[6])
    end
  else
    enterReady(KEYS[1], KEYS[4], KEYS[5], mid, false)
    signal(KEYS[6])
  end
end
