-- POST /v1/messages with BENCH_RECIPIENTS distinct numbers each.
-- Environment: BENCH_KEY, BENCH_RECIPIENTS, BENCH_RUN.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local size = tonumber(os.getenv("BENCH_RECIPIENTS") or "1000")

wrk.method = "POST"
wrk.path = "/v1/messages"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")

local numbers = {}
for i = 1, size do
  -- Ending in 0-5: the simulator reports them delivered.
  numbers[i] = string.format('"+86138%04d%04d"', i % 10000, (i * 7) % 6)
end
local list = table.concat(numbers, ",")

function request()
  local body = '{"recipients":[' .. list .. '],"content":"【Bench】code ' .. next_id() .. '"}'
  return wrk.format(nil, nil, nil, body)
end
