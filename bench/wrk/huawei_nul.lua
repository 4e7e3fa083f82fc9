-- Huawei status reports carrying %00 (a NUL) in smsMsgId: refused with 400 at parse time.
-- Environment: BENCH_PATH, BENCH_RUN, BENCH_RATE, BENCH_CONNECTIONS.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

function request()
  local body = "sequence=1&total=1&updateTime=2018-04-13T06%3A31%3A46Z&smsMsgId=" .. next_id() .. "%00x&status=DELIVRD"
  return wrk.format(nil, nil, nil, body)
end
