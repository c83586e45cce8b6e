-- The first `keep` bytes of `body`, cut before a UTF-8 continuation byte so no character is halved.
local function bodyPrefix(body, keep)
  local stop = math.min(keep, #body)
  while stop > 0 and stop < #body do
    local byte = string.byte(body, stop + 1)
    if byte < 128 or byte >= 192 then
      break
    end
    stop = stop - 1
  end
  return string.sub(body, 1, stop)
end
