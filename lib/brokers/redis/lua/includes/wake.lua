-- Idle consumers block on BZPOPMIN of the wake set, whose only member is 'w'. Adding it wakes one
-- consumer; a consumer that leaves work behind adds it again, so wake-ups chain without a herd.
local function signal(wakeKey)
  redis.call('ZADD', wakeKey, 0, 'w')
end

local function earliest(key)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if first[2] then
    return tonumber(first[2])
  end
  return nil
end

-- When something next needs doing without a publish: a delayed message falls due or a lease ends.
local function nextWake(delayedKey, activeKey)
  local due = earliest(delayedKey)
  local leaseEnd = earliest(activeKey)
  if due and leaseEnd then
    return math.min(due, leaseEnd)
  end
  return due or leaseEnd
end
