-- A tenant reading its messages (GET /v1/messages?limit=1) with its API key, at BENCH_RATE.
-- Environment: BENCH_KEY, BENCH_RATE, BENCH_CONNECTIONS.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "GET"
wrk.path = "/v1/messages?limit=1"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
