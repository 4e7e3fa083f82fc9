-- Shared by the callback and send scripts: unique ids per thread, and a JSON summary line at the end
-- (bench/run reads the line that starts with "BENCH ").
local threads = {}
local counter = 0
-- BENCH_RUN keeps ids unique across runs; BENCH_RATE (with BENCH_CONNECTIONS) holds a fixed rate.
run_id = os.getenv("BENCH_RUN")
rate = tonumber(os.getenv("BENCH_RATE") or "0")
connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "1")

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
  for _, t in ipairs(threads) do t:set("nthreads", #threads) end
end

function next_id()
  counter = counter + 1
  return string.format("bench-%s-%d-%d", run_id or "x", tid, counter)
end

function done(summary, latency, requests)
  local failed = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'BENCH {"requests":%d,"non_2xx":%d,"socket_errors":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.errors.status, failed - summary.errors.status, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end

-- With RATE set (requests/s over all connections), each thread hands out send slots at its share of
-- the rate and each connection waits for its slot: the rate holds whatever the latency (a fixed delay
-- per connection would add the latency to every interval and fall short of the rate).
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *out);
]]
local now_ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, now_ts) -- CLOCK_MONOTONIC
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end
local next_slot = nil

function delay()
  if not (rate and rate > 0) then
    return 0
  end
  local interval = 1000 * (nthreads or 1) / rate
  local now = now_ms()
  if next_slot == nil or next_slot < now then next_slot = now end
  local wait = next_slot - now
  next_slot = next_slot + interval
  return wait
end
