"""Drives bench/outbound-isolation: tenant B's send timed alone and beside tenant A's trickling gateway."""
import argparse
import json
import statistics
import time
import urllib.parse
import urllib.request


def call(method, url, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else {}


def tenant(hub, admin, name, base_url, account, password):
    t = call("POST", f"{hub}/admin/tenants", admin, {"name": name})
    key = call("POST", f"{hub}/admin/tenants/{t['id']}/api-keys", admin, {"name": "bench"})["key"]
    created = call("POST", f"{hub}/v1/provider-accounts", key, {
        "provider": "gateway", "name": name, "is_default": True,
        "settings": {"base_url": base_url, "account": account}, "credentials": {"api_password": password}})
    return key, created


def timed_send(hub, key, recipients, round_number):
    numbers = [f"139{round_number:03d}{i:04d}0" for i in range(recipients)]
    started = time.monotonic()
    message = call("POST", f"{hub}/v1/messages", key, {"recipients": numbers, "content": f"【Bench】round {round_number}"})
    dispatched = None
    while True:
        got = call("GET", f"{hub}/v1/messages/{message['id']}", key)
        if dispatched is None and all(r["status"] != "queued" for r in got["recipients"]):
            dispatched = time.monotonic() - started
        if all(r["status"] == "delivered" for r in got["recipients"]):
            return dispatched, time.monotonic() - started
        if time.monotonic() - started > 120:
            raise SystemExit("the send did not finish within 120 s")
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser()
    for name in ("hub", "admin", "sim", "trickle", "out"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--recipients", type=int, default=1000)
    args = parser.parse_args()

    fast_key, fast = tenant(args.hub, args.admin, "B (fast gateway)", args.sim, "fast", "fast-password")
    status_url = fast["callback_urls"]["status"]
    status_path = urllib.parse.urlparse(status_url).path
    push = urllib.parse.urlencode({"account": "fast", "status": args.hub + status_path}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{args.sim}/sim/push-urls", data=push, method="POST"), timeout=10).read()
    slow_key, _ = tenant(args.hub, args.admin, "A (trickling gateway)", args.trickle, "slow", "x")

    rounds = []
    for n in range(1, args.rounds + 1):
        alone_sent, alone = timed_send(args.hub, fast_key, args.recipients, 2 * n)
        for i in range(3):
            call("POST", f"{args.hub}/v1/messages", slow_key, {"recipients": [f"1380000{n:02d}{i:02d}"], "content": "【Slow】x"})
        time.sleep(1.5)  # the slow tenant's calls are held open by now
        beside_sent, beside = timed_send(args.hub, fast_key, args.recipients, 2 * n + 1)
        rounds.append({"alone": {"dispatched_s": round(alone_sent, 3), "delivered_s": round(alone, 3)},
                       "beside_trickling": {"dispatched_s": round(beside_sent, 3), "delivered_s": round(beside, 3)}})
        print(f"round {n}: dispatched {alone_sent:.3f} s alone, {beside_sent:.3f} s beside a trickling gateway; "
              f"delivered {alone:.3f} s alone, {beside:.3f} s beside", flush=True)
    result = {"recipients": args.recipients, "rounds": rounds}
    for measure in ("dispatched_s", "delivered_s"):
        alone_median = statistics.median(r["alone"][measure] for r in rounds)
        beside_median = statistics.median(r["beside_trickling"][measure] for r in rounds)
        result[measure] = {"median_alone": alone_median, "median_beside_trickling": beside_median,
                           "ratio": round(beside_median / alone_median, 3)}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result))


main()
