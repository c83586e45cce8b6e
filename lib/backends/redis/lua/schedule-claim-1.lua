--[[
  Claims one tick of a schedule for a beat node, so each tick is fired by one node only. A tick
  later than the latest claimed one is the caller's; a claimed tick again only while unconfirmed,
  and only by its claimer (retrying) or once the claimer's lease lapsed; anything else is taken.
  A new claim also adopts unconfirmed earlier claims whose lease lapsed (their claimer died between
  claim and publish), and hands them to the caller to publish. Leases are measured on the Redis
  clock, so nodes whose clocks disagree still agree on when one lapses.

  KEYS[1] states   HASH  schedule id → state JSON

  ARGV[1] schedule id
  ARGV[2] version the caller computed the tick from
  ARGV[3] tick time (epoch ms)
  ARGV[4] task id of the tick
  ARGV[5] node id
  ARGV[6] lease in ms
  ARGV[7] most unconfirmed claims kept

  Output: JSON {status:"claimed", orphans:[{at, taskId, by}]} | {status:"taken", last, retryInMs?}
          | {status:"stale"} (no such schedule, another version, or paused)
]]
local states = KEYS[1]
local id = ARGV[1]
local raw = redis.call('HGET', states, id)
if not raw then return '{"status":"stale"}' end
local state = cjson.decode(raw)
if tonumber(state.version) ~= tonumber(ARGV[2]) or state.paused then return '{"status":"stale"}' end

local fireAt = tonumber(ARGV[3])
local taskId = ARGV[4]
local node = ARGV[5]
local lease = tonumber(ARGV[6])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local pending = state.pending or {}
local function lapsed(fire) return now - fire.claimedAt >= lease end

if state.last and state.last.at >= fireAt then
  for _, fire in ipairs(pending) do
    if fire.at == fireAt then
      if fire.by == node or lapsed(fire) then
        fire.by = node
        fire.claimedAt = now
        redis.call('HSET', states, id, cjson.encode(state))
        return '{"status":"claimed","orphans":[]}'
      end
      return cjson.encode({ status = 'taken', last = state.last, retryInMs = fire.claimedAt + lease - now })
    end
  end
  return cjson.encode({ status = 'taken', last = state.last })
end

local orphans = {}
for _, fire in ipairs(pending) do
  if lapsed(fire) then
    fire.by = node
    fire.claimedAt = now
    orphans[#orphans + 1] = { at = fire.at, taskId = fire.taskId, by = node }
  end
end
state.last = { at = fireAt, taskId = taskId, by = node }
pending[#pending + 1] = { at = fireAt, taskId = taskId, by = node, claimedAt = now }
while #pending > tonumber(ARGV[7]) do table.remove(pending, 1) end
state.pending = pending
redis.call('HSET', states, id, cjson.encode(state))
return cjson.encode({ status = 'claimed', orphans = orphans })
