-- POST /v1/messages with BENCH_RECIPIENTS distinct numbers each.
-- Environment: BENCH_KEY, BENCH_RECIPIENTS, BENCH_RUN; BENCH_UNIQUE=1 gives every request numbers no
-- other request has (+86139…, so that per-number caps admit them), BENCH_CATEGORY names a category.
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
local unique = os.getenv("BENCH_UNIQUE") == "1"
local category = os.getenv("BENCH_CATEGORY")
local category_member = category and (',"category":"' .. category .. '"') or ""
local sent = 0
-- BENCH_OFFSET moves the block, so that several runs against one database keep their numbers new.
local offset = tonumber(os.getenv("BENCH_OFFSET") or "0")

-- Each thread numbers from its own block of 50 million: request n of thread t sends to
-- +86139 followed by (t - 1) * 50,000,000 + n * size + i, eight digits.
local function unique_list()
  sent = sent + 1
  local out = {}
  for i = 1, size do
    out[i] = string.format('"+86139%08d"', (offset * 1000000 + (tid - 1) * 50000000 + sent * size + i) % 100000000)
  end
  return table.concat(out, ",")
end

function request()
  local recipients = unique and unique_list() or list
  local body = '{"recipients":[' .. recipients .. '],"content":"【Bench】code ' .. next_id() .. '"' .. category_member .. '}'
  return wrk.format(nil, nil, nil, body)
end
