-- Stores a result backend's record in the same step as a queue change, and publishes what announces
-- it (see CompanionWrite). Its arguments start at ARGV[first]: value, time to live in ms, '1' to store
-- only if the key is absent ('' otherwise), then channel and head pairs: each channel gets its head
-- followed by the value.
local function writeCompanion(key, first)
  local stored
  if ARGV[first + 2] == '1' then
    stored = redis.call('SET', key, ARGV[first], 'PX', ARGV[first + 1], 'NX')
  else
    stored = redis.call('SET', key, ARGV[first], 'PX', ARGV[first + 1])
  end
  if stored then
    for i = first + 3, #ARGV, 2 do
      redis.call('PUBLISH', ARGV[i], ARGV[i + 1] .. ARGV[first])
    end
  end
end
