"""Latency of the query API's endpoints over HTTP, one keep-alive connection, requests one after another.

Prints p50/p99 per endpoint (milliseconds) and optionally writes them as JSON. Used by bench/scale."""
import argparse
import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse


def percentile(values, p):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class Client:
    def __init__(self, base, key):
        url = urllib.parse.urlparse(base)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path):
        start = time.perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        # A 503 (the statement passed the service's deadline) is a result to report; anything else
        # that is not a 200 is a mistake in this script.
        if response.status == 503:
            return elapsed, None
        if response.status != 200:
            sys.exit(f"GET {path}: {response.status} {body[:300]!r}")
        return elapsed, json.loads(body)


def endpoints(samples):
    q = urllib.parse.quote
    pick = random.choice
    day = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() - 30 * 86400))
    next_day = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() - 29 * 86400))
    return [
        ("messages", lambda: "/v1/messages"),
        ("messages?status=failed", lambda: "/v1/messages?status=failed"),
        ("messages?status=queued", lambda: "/v1/messages?status=queued"),
        ("messages?number", lambda: "/v1/messages?number=" + q(pick(samples["numbers"]))),
        ("messages?client_reference", lambda: "/v1/messages?client_reference=" + q(pick(samples["references"]))),
        ("messages?provider_account_id", lambda: "/v1/messages?provider_account_id=" + samples["huawei"]),
        ("messages?from&to (one day)", lambda: f"/v1/messages?from={day}&to={next_day}"),
        ("messages/{id}", lambda: "/v1/messages/" + pick(samples["messages"])),
        ("recipients/{id}", lambda: "/v1/recipients/" + pick(samples["recipients"])),
        ("status-events", lambda: "/v1/status-events"),
        ("status-events?status=expired", lambda: "/v1/status-events?status=expired"),
        ("status-events?number", lambda: "/v1/status-events?number=" + q(pick(samples["numbers"]))),
        ("status-events?provider_account_id", lambda: "/v1/status-events?provider_account_id=" + samples["gateway"]),
        ("replies", lambda: "/v1/replies"),
        ("replies?number", lambda: "/v1/replies?number=" + q(pick(samples["numbers"]))),
        ("replies/{id}", lambda: "/v1/replies/" + pick(samples["replies"])),
        ("balances (latest)", lambda: "/v1/balances"),
        ("provider-accounts/{id}/balances", lambda: f"/v1/provider-accounts/{samples['gateway']}/balances"),
        ("review-events?kind&subject", lambda: f"/v1/review-events?kind=template&subject=T{random.randrange(400)}"),
        ("summary/daily (7 days)", lambda: "/v1/summary/daily"),
    ]


# An aggregate over every recipient of a week: seconds at 20 M rows, so fewer requests.
AGGREGATES = {"summary/daily (7 days)": 20}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--samples", required=True, help="JSON: numbers, messages, recipients, replies, references, gateway, huawei")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--json")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    random.seed(7)
    samples = json.loads(args.samples)
    client = Client(args.base, args.key)
    rows = []
    for name, path in endpoints(samples):
        for _ in range(min(5, args.requests)):
            client.get(path())  # warm-up
        timings, items, failed = [], [], 0
        count = min(args.requests, AGGREGATES.get(name, args.requests))
        for _ in range(count):
            elapsed, body = client.get(path())
            timings.append(elapsed)
            if body is None:
                failed += 1
            else:
                items.append(len(body.get("items", [body])))
        rows.append({"endpoint": name, "requests": count, "p50_ms": round(percentile(timings, 50), 2),
                     "p99_ms": round(percentile(timings, 99), 2), "mean_items": round(statistics.mean(items), 1) if items else 0,
                     "unavailable": failed})
    # Walking pages with the cursor: each request continues where the last ended.
    timings = []
    cursor = None
    while len(timings) < args.requests:
        elapsed, body = client.get("/v1/messages?limit=50" + (f"&cursor={cursor}" if cursor else ""))
        timings.append(elapsed)
        cursor = body.get("next_cursor") if body else cursor
    rows.append({"endpoint": "messages, following next_cursor", "requests": len(timings), "p50_ms": round(percentile(timings, 50), 2),
                 "p99_ms": round(percentile(timings, 99), 2), "mean_items": 50, "unavailable": 0})
    if args.quiet:
        return
    width = max(len(row["endpoint"]) for row in rows)
    print(f"{'endpoint':<{width}}  {'p50 ms':>8}  {'p99 ms':>8}  {'items':>6}  {'503s':>5}")
    for row in rows:
        print(f"{row['endpoint']:<{width}}  {row['p50_ms']:>8.2f}  {row['p99_ms']:>8.2f}  {row['mean_items']:>6}  {row['unavailable']:>5}")
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"kind": "query-latency", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "rows": rows}, file, indent=2)


if __name__ == "__main__":
    main()
