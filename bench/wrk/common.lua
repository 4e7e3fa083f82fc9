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

-- With RATE set (requests/s over all connections), each connection waits between requests so the
-- total stays near it: wrk's way to hold a fixed rate below the maximum.
function delay()
  if rate and rate > 0 then
    return connections * 1000 / rate
  end
  return 0
end
