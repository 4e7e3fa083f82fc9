-- Correctly signed EngageLab SMSHook "delivered" callbacks, each for a new message id.
-- Environment: BENCH_PATH, BENCH_APP_KEY, BENCH_SIGNATURE, BENCH_TIMESTAMP, BENCH_RUN, BENCH_RATE, BENCH_CONNECTIONS.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-SMSHook-Signature"] = os.getenv("BENCH_SIGNATURE")
wrk.headers["X-SMSHook-Timestamp"] = os.getenv("BENCH_TIMESTAMP")
wrk.headers["X-SMSHook-AppKey"] = os.getenv("BENCH_APP_KEY")
wrk.headers["X-SMSHook-Version"] = "1"

function request()
  local id = next_id() .. "$+8613800000000"
  local body = '{"server":"sms","message_id":"' .. id .. '","to":"+8613800000000","itime":1679388949000,'
    .. '"status":{"message_status":"delivered","status_data":{"outbound_time":"2023-03-21 16:55:25",'
    .. '"receipt_time":"2023-03-21 16:55:49","sms_id":"' .. id .. '","user_id":15,"msg_type":2,"template_id":881597,'
    .. '"message":"successfully delivered","template_type":1,"msg_count":1,"label_id":0}}}'
  return wrk.format(nil, nil, nil, body)
end
