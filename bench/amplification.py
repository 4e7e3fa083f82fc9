"""Posts 1 MiB callbacks shaped for amplification, one shape at a time, and measures each answer.

Usage: amplification.py BASE PID DSN ROUNDS PATHS_JSON. PATHS_JSON names the callback paths:
engagelab (events), huawei (status), submail (events), gateway (status). For each shape and round the
body gets fresh ids, the service's peak RSS is reset (/proc/PID/clear_refs, 5), the body is posted,
and the time to the answer, the peak RSS above the RSS before it, and the raw bytes and rows the
database gained are recorded. Prints one JSON document: per shape, every round and the medians.
"""

import hashlib
import http.client
import json
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid

LIMIT = 1024 * 1024
base, pid, dsn, rounds, paths = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), json.loads(sys.argv[5])
host = urllib.parse.urlparse(base)
APP_KEY, APP_SECRET = "benchappkey0123456789abc", "bench_engagelab_secret"
SUBHOOK_KEY = "bench_subhook_key"


def engagelab_headers():
    stamp = str(int(time.time() * 1000))
    signature = hashlib.md5((stamp + APP_KEY + APP_SECRET).encode()).hexdigest()
    return {"X-SMSHook-Timestamp": stamp, "X-SMSHook-AppKey": APP_KEY, "X-SMSHook-Signature": signature,
            "X-SMSHook-Version": "1", "Content-Type": "application/json"}


def target(tag, count, filler):
    numbers = ",".join(f'"+86188{10_000_000 + i}"' for i in range(count))
    ids = ",".join(f'"{tag}$+86188{10_000_000 + i}"' for i in range(count))
    pad = f'"padding":"{"x" * filler}",' if filler else ""
    return (f'{{"server":"sms","message_id":"{tag}","itime":1679392394061,{pad}"status":{{"message_status":"target",'
            f'"status_data":{{"message":"successfully request","to":[{numbers}],"sms_ids":[{ids}]}}}}}}')


def engagelab_envelope(tag):
    """The most recipients expanded (5,000) and the rest of 1 MiB one member the parser does not know."""
    skeleton = len(target(tag, 5_000, 1))
    return target(tag, 5_000, LIMIT - skeleton + 1)


def engagelab_ids(tag):
    """The most ids 1 MiB holds (the shortest, without `to`)."""
    head = f'{{"message_id":"{tag}","status":{{"message_status":"target","status_data":{{"sms_ids":['
    one = len(f'"{tag}$+8613810000000",')
    count = (LIMIT - len(head) - 4) // one
    return head + ",".join(f'"{tag}$+86138{10_000_000 + i}"' for i in range(count)) + "]}}}"


def engagelab_arrays(tag):
    """Long arrays in every field that takes one: `to` far longer than `sms_ids`, and an unknown array."""
    numbers = ",".join(f'"+86188{10_000_000 + i}"' for i in range(30_000))
    zeros = ",".join("0" for _ in range(150_000))
    ids = f'"{tag}$+8618810000000","{tag}$+8618810000001"'
    return (f'{{"message_id":"{tag}","itime":1679392394061,"status":{{"message_status":"sent","status_data":'
            f'{{"zeros":[{zeros}],"to":[{numbers}],"sms_ids":[{ids}]}}}}}}')


def engagelab_deep(tag):
    nested = "[" * 27 + "]" * 27  # with the envelope, 32 levels: the deepest the reader accepts
    return '{"message_id":"%s","status":{"message_status":"sent","status_data":{"sms_ids":["%s$+8618810000000"],"x":[%s]}}}' % (
        tag, tag, ",".join([nested] * ((LIMIT - 200) // (len(nested) + 1))))


def huawei_batch(tag):
    per = (LIMIT // 50 - 200) // 2
    padding = ",".join("1" for _ in range(per))
    reports = ",".join(
        f'{{"smsMsgId":"{tag}-{i}","status":"DELIVRD","updateTime":"2018-04-13T06:31:46Z","extra":[{padding}]}}' for i in range(50))
    return '{"statusReportList":[' + reports + "]}"


def huawei_form(tag):
    head = f"smsMsgId={tag}&status=DELIVRD&updateTime=2018-04-13T06%3A31%3A46Z&note="
    return head + "%22" * ((LIMIT - len(head)) // 3)


def submail_json(tag):
    filler = '\\"' * (LIMIT // 2 - 1_000)
    token = uuid.uuid4().hex  # SUBMAIL signs each event with a token of its own (decision 0015)
    signature = hashlib.md5((token + SUBHOOK_KEY).encode()).hexdigest()
    return (f'{{"events":"sending","address":"13812345678","send_id":"{tag}","app":"12345","tag":"{filler}",'
            f'"timestamp":"{int(time.time())}","token":"{token}","signature":"{signature}"}}')


def gateway_form(tag):
    head = f"sendId={tag}&mobile=13800000000&status=0&times=2026-12-07+12%3A00%3A00&note="
    return head + "%5C" * ((LIMIT - len(head)) // 3)


SHAPES = [
    ("engagelab: 5,000 recipients, the rest one unknown member", "engagelab", engagelab_envelope, "application/json", True),
    ("engagelab: the most ids 1 MiB holds", "engagelab", engagelab_ids, "application/json", True),
    ("engagelab: long arrays in every field", "engagelab", engagelab_arrays, "application/json", True),
    ("engagelab: nesting 32 levels deep, repeated", "engagelab", engagelab_deep, "application/json", True),
    ("huawei: 50 reports padded with arrays", "huawei", huawei_batch, "application/json", False),
    ("huawei: a form value of quotes", "huawei", huawei_form, "application/x-www-form-urlencoded", False),
    ("submail: an unknown member of escapes", "submail", submail_json, "application/json", False),
    ("gateway: a form value of backslashes", "gateway", gateway_form, "application/x-www-form-urlencoded", False),
]


def stored():
    tables = ["status_events", "replies", "review_events", "callback_receipts"]
    total = " + ".join(f"(SELECT coalesce(sum(octet_length(raw::text)), 0) FROM {t})" for t in tables)
    rows = " + ".join(f"(SELECT count(*) FROM {t})" for t in tables)
    out = subprocess.run(["psql", "-X", "-At", "-F", " ", dsn, "-c", f"SELECT {total}, {rows}"], check=True, capture_output=True, text=True)
    raw, count = out.stdout.split()
    return int(raw), int(count)


def rss_kib(field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


results = []
for name, provider, make, media, signed in SHAPES:
    runs = []
    for round_ in range(rounds):
        tag = f"amp{round_}x{int(time.time() * 1000) % 10_000_000}"
        body = make(tag).encode()
        assert len(body) <= LIMIT, (name, len(body))
        headers = engagelab_headers() if signed else {"Content-Type": media}
        headers["Content-Length"] = str(len(body))
        before_raw, before_rows = stored()
        with open(f"/proc/{pid}/clear_refs", "w") as refs:
            refs.write("5")
        rss = rss_kib("VmRSS")
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
        start = time.monotonic()
        connection.request("POST", paths[provider], body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        seconds = time.monotonic() - start
        connection.close()
        peak = rss_kib("VmHWM")
        after_raw, after_rows = stored()
        runs.append({"status": response.status, "seconds": round(seconds, 3), "body": len(body),
                     "peak_rss_added_mib": round(max(0, peak - rss) / 1024, 1),
                     "raw_stored": after_raw - before_raw, "rows": after_rows - before_rows})
    results.append({
        "shape": name,
        "statuses": sorted({r["status"] for r in runs}),
        "median_seconds": statistics.median(r["seconds"] for r in runs),
        "max_seconds": max(r["seconds"] for r in runs),
        "median_peak_rss_added_mib": statistics.median(r["peak_rss_added_mib"] for r in runs),
        "max_peak_rss_added_mib": max(r["peak_rss_added_mib"] for r in runs),
        "stored_over_body": round(max(r["raw_stored"] / r["body"] for r in runs), 3),
        # The bound of decision 0014: twice the body plus 1,280 bytes per stored row.
        "stored_over_bound": round(max(r["raw_stored"] / (2 * r["body"] + 1280 * r["rows"]) for r in runs), 3),
        "rows": runs[-1]["rows"],
        "runs": runs,
    })
print(json.dumps(results, indent=1))
