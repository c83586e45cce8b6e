--[[
  Marks a task revoked for its time to live and tells every process listening for revocations.

  KEYS[1] revoked  STRING marker of the revoked task

  ARGV[1] task id
  ARGV[2] time to live in ms
  ARGV[3] revocation channel of the prefix

  Output: the number of subscribers that were told.
]]
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
return redis.call('PUBLISH', ARGV[3], ARGV[1])
