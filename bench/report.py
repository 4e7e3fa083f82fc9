"""Turns bench/run's measurements into one table (printed) and one JSON file, with the targets of the
benchmark issue checked against this machine's own baselines."""
import argparse
import json
import statistics
import time


def rate(run):
    return (run["requests"] - run["non_2xx"]) / (run["duration_us"] / 1e6)


def main():
    p = argparse.ArgumentParser()
    for name in ["out", "trivial", "engage", "huawei", "known", "hook", "engage-half", "send", "rss", "queries", "trivial-cpu", "huawei-cpu", "known-cpu", "hook-cpu", "aged",
                 "provider-dispatch", "send-ruled", "ruled-stopped"]:
        p.add_argument("--" + name, required=True)
    for name in ["connections", "duration", "pgbench", "pg-ingest-rows", "pg-ingest-batch", "pg-known-rows", "pg-known-expected", "pg-known-moved", "engage-rows", "huawei-rows", "engage-batch", "huawei-batch", "known-rows", "known-batch", "known-attached", "known-moved",
                 "hook-rows", "hook-batch", "hook-moved", "hook-events", "hook-start", "hook-load-end", "hook-drain-end", "hook-at-end",
                 "hook-delivered", "hook-received", "hook-verified", "half-rate", "accepted", "send-start",
                 "dispatch-end", "left", "sustain-start", "sustain", "clock-ticks", "ruled-accepted"]:
        p.add_argument("--" + name, type=float, required=True)
    a = p.parse_args()
    trivial, engage, huawei, known, hook, half, send = (
        json.loads(x) for x in (a.trivial, a.engage, a.huawei, a.known, a.hook, a.engage_half, a.send))

    samples = []
    phase, phase_peaks = "start", {}
    for line in open(a.rss):
        parts = line.split()
        if len(parts) > 2 and parts[1] == "phase:":
            phase = " ".join(parts[2:])
        elif len(parts) == 2 and parts[1].isdigit():
            samples.append((float(parts[0]), int(parts[1]) / 1024))
            phase_peaks[phase] = max(phase_peaks.get(phase, 0), int(parts[1]) / 1024)
    peak = max(mb for _, mb in samples) if samples else 0
    start, end = a.sustain_start, a.sustain_start + a.sustain
    first = [mb for t, mb in samples if start <= t < start + 10]
    last = [mb for t, mb in samples if end - 10 <= t < end]
    growth = (statistics.median(last) - statistics.median(first)) if first and last else None

    rows = []
    def add(name, value, unit, target=None, ok=None):
        rows.append({"measure": name, "value": round(value, 2) if value is not None else None, "unit": unit, "target": target, "met": ok})

    trivial_rps = rate(trivial)
    # Where the CPU goes, per request acknowledged, in a load (machine, service, simulator, PostgreSQL,
    # the rest; the share left idle): /healthz, both Huawei loads at full speed, and the known-message
    # load with a webhook endpoint from the load's start until its outbox drained.
    def cpu(spans, callbacks):
        v = [float(x) for x in spans.split()]
        d = [e - b for b, e in zip(v[:5], v[5:])]
        us = lambda t: t / a.clock_ticks / max(1, callbacks) * 1e6
        return {"machine": us(d[0]), "service": us(d[2]), "simulator": us(d[3]), "postgres": us(d[4]),
                "other": us(d[0] - d[2] - d[3] - d[4]), "idle": d[1] / max(1, d[0] + d[1]) * 100}
    def split(c):
        return (f"service {c['service']:.0f}, postgres {c['postgres']:.0f}, simulator {c['simulator']:.0f}, "
                f"wrk and the rest {c['other']:.0f}; idle {c['idle']:.0f}%")
    add("baseline: GET /healthz", trivial_rps, "req/s")
    healthz_cpu = cpu(a.trivial_cpu, trivial["requests"] - trivial["non_2xx"])
    add("baseline: GET /healthz: CPU per request", healthz_cpu["machine"], "us", split(healthz_cpu))
    add("baseline: pgbench single-row insert", a.pgbench, "tx/s")
    add(f"baseline: PostgreSQL alone, the ingest INSERT (pgbench, {a.pg_ingest_batch:.0f} reports per transaction)", a.pg_ingest_rows, "rows/s")
    # Costs add: a callback is at least an HTTP request and a row. With nothing else spent on it, the
    # two cores could take 1 / (1/healthz + 1/rows) callbacks per second.
    bound = 1 / (1 / trivial_rps + 1 / a.pg_ingest_rows)
    add("bound: /healthz and the database's rows alone, costs added", bound, "callbacks/s")
    add(f"baseline: PostgreSQL alone, the known-message transaction (pgbench, {a.pg_ingest_batch:.0f} reports per transaction)",
        a.pg_known_rows, "rows/s")
    # Every replayed report names a seeded recipient of its own client: had a client run out of them,
    # its transactions would have moved nothing and the bound would be too high.
    add("baseline: the known-message replay's recipients moved", a.pg_known_moved, "recipients", f"= {a.pg_known_expected:.0f} (transactions x reports)",
        a.pg_known_moved == a.pg_known_expected)
    known_bound = 1 / (1 / trivial_rps + 1 / a.pg_known_rows)
    add("bound, known messages: /healthz and the known-message transaction's rows, costs added", known_bound, "callbacks/s")
    loads = [("EngageLab", engage, a.engage_rows, a.engage_batch), ("Huawei", huawei, a.huawei_rows, a.huawei_batch),
             ("Huawei, known messages", known, a.known_rows, a.known_batch),
             ("Huawei, known messages, webhook endpoint subscribed", hook, a.hook_rows, a.hook_batch)]
    for name, run, committed, batch in loads:
        acked = run["requests"] - run["non_2xx"]
        r = rate(run)
        add(f"ingestion {name}: acknowledged", r, "callbacks/s")
        # Issue 20's target (it replaced issue 7's multiples of pgbench and /healthz): each load against
        # the bound made of its own transaction's replay.
        if "webhook" not in name:
            own = known_bound if "known" in name else bound
            add(f"ingestion {name}: against its own bound", r / own * 100, "%", ">= 90", r / own >= 0.9)
        add(f"ingestion {name}: p50", run["p50_us"] / 1000, "ms")
        add(f"ingestion {name}: p99", run["p99_us"] / 1000, "ms")
        add(f"ingestion {name}: mean callbacks per transaction", batch, "callbacks")
        add(f"ingestion {name}: acknowledged but not committed", max(0, acked - committed), "callbacks", "0", acked <= committed)
        add(f"ingestion {name}: committed beyond acknowledged (in flight at the end)", max(0, committed - acked), "rows",
            f"<= {a.connections:.0f}", committed - acked <= a.connections)
        add(f"ingestion {name}: non-2xx and socket errors", run["non_2xx"] + run["socket_errors"], "responses", "0",
            run["non_2xx"] + run["socket_errors"] == 0)
    known_ratio = rate(known) / rate(huawei) * 100
    add("ingestion Huawei: known messages against unknown ones", known_ratio, "%", ">= 75", known_ratio >= 75)
    plain = cpu(a.known_cpu, known["requests"] - known["non_2xx"])
    unknown_cpu = cpu(a.huawei_cpu, huawei["requests"] - huawei["non_2xx"])
    add("ingestion Huawei: CPU per callback, unknown messages", unknown_cpu["machine"], "us", split(unknown_cpu))
    add("ingestion Huawei: CPU per callback, known messages", plain["machine"], "us", split(plain))
    # Both loads saturate the two cores, so their rates stand about as their CPU per callback does.
    add("ingestion Huawei: known against unknown, CPU per callback unknown / known", unknown_cpu["machine"] / plain["machine"] * 100, "%",
        f"service {unknown_cpu['service'] / plain['service'] * 100:.0f}%, postgres {unknown_cpu['postgres'] / plain['postgres'] * 100:.0f}%")
    # Every report of the known-message load names a seeded recipient: each event attached, each recipient moved.
    add("ingestion Huawei, known messages: events not attached to their recipient", a.known_rows - a.known_attached, "events", "0",
        a.known_attached == a.known_rows)
    add("ingestion Huawei, known messages: recipients moved to delivered", a.known_moved, "recipients", f"= {a.known_rows:.0f} (events)",
        a.known_moved == a.known_rows)
    # Webhooks (issue 19): the outbox must not cost ingestion more than a fifth, and the deliverer must keep up.
    hook_ratio = rate(hook) / rate(known)
    add("webhooks: known-message ingestion with an endpoint / without", hook_ratio * 100, "%", ">= 80", hook_ratio >= 0.8)
    add("webhooks: recipients moved to delivered", a.hook_moved, "recipients", f"= {a.hook_rows:.0f} (events)", a.hook_moved == a.hook_rows)
    produced = a.hook_events / max(0.001, a.hook_load_end - a.hook_start)
    delivered = a.hook_delivered / max(0.001, a.hook_drain_end - a.hook_start)
    add("webhooks: changes produced during the load", produced, "events/s")
    add("webhooks: delivered, load start to last delivery", delivered, "deliveries/s")
    add("webhooks: delivered by the end of the load", a.hook_at_end / max(1, a.hook_events) * 100, "%")
    # Keeping pace: what was still undelivered when the load stopped, in seconds of production. A
    # deliverer slower than production ends with a backlog that grows with the load's length.
    backlog = (a.hook_events - a.hook_at_end) / max(0.001, produced)
    add("webhooks: backlog at the end of the load", backlog, "s", "< 1 (keeps pace with production)", backlog < 1)
    add("webhooks: last delivery after the load", a.hook_drain_end - a.hook_load_end, "s")
    add("webhooks: events not delivered (or not received, or unverified)", a.hook_events - min(a.hook_delivered, a.hook_received, a.hook_verified),
        "events", "0", a.hook_events == a.hook_delivered == a.hook_received and a.hook_verified >= a.hook_received)
    hooked = cpu(a.hook_cpu, hook["requests"] - hook["non_2xx"])
    for label, c in (("without an endpoint", plain), ("with an endpoint, until drained", hooked)):
        add(f"webhooks: CPU per callback {label}", c["machine"], "us", split(c))
    add("webhooks: highest ratio the CPU allows (CPU per callback without / with)", plain["machine"] / hooked["machine"] * 100, "%")
    add(f"ingestion EngageLab at half rate ({a.half_rate:.0f}/s): p99", half["p99_us"] / 1000, "ms", "< 50", half["p99_us"] < 50_000)
    add("ingestion EngageLab at half rate: achieved", rate(half), "callbacks/s")
    accepted_rate = (send["requests"] - send["non_2xx"]) * 1000 / (send["duration_us"] / 1e6)
    add("send: recipients accepted", accepted_rate, "recipients/s", ">= 50000", accepted_rate >= 50_000)
    add("send: POST /v1/messages p99 (1000 recipients)", send["p99_us"] / 1000, "ms")
    ruled = json.loads(a.send_ruled)
    ruled_rate = (ruled["requests"] - ruled["non_2xx"]) * 1000 / (ruled["duration_us"] / 1e6)
    add("send with the rules on: recipients accepted (opt-out list, caps, quotas)", ruled_rate, "recipients/s", ">= 25000", ruled_rate >= 25_000)
    add("send with the rules on: rate against the rules off", ruled_rate / max(1, accepted_rate) * 100, "%", ">= 50", ruled_rate >= accepted_rate / 2)
    add("send with the rules on: POST /v1/messages p99 (1000 recipients)", ruled["p99_us"] / 1000, "ms")
    opted_out, limited = (float(x) for x in a.ruled_stopped.split())
    add("send with the rules on: recipients stored", a.ruled_accepted, "recipients")
    add("send with the rules on: of which stopped by the opt-out list", opted_out, "recipients")
    add("send with the rules on: of which over a cap or quota (every number is new)", limited, "recipients", "0", limited == 0)
    dispatched = a.accepted - a.left
    add("send: recipients dispatched to the simulator", dispatched / max(0.001, a.dispatch_end - a.send_start), "recipients/s")
    add("send: recipients still queued at the end", a.left, "recipients", "0", a.left == 0)
    names = {"submail": "SUBMAIL (50 a call)", "huawei": "Huawei (500 a call)", "engagelab": "EngageLab (1 a call)"}
    for provider, per_second in json.loads(a.provider_dispatch).items():
        add(f"send: recipients dispatched through simulated {names.get(provider, provider)}", per_second, "recipients/s")
    add("memory: peak RSS", peak, "MiB")
    for name, mb in phase_peaks.items():
        add(f"memory: peak RSS during: {name[:90]}", mb, "MiB")
    if growth is not None:
        add(f"memory: RSS growth over the {a.sustain:.0f} s run (median of last 10 s - first 10 s)", growth, "MiB", "< 10", growth < 10)
    if a.queries != "null":
        q = json.load(open(a.queries))["rows"]
        lists = [r for r in q if not r["endpoint"].startswith("summary")]
        worst = max(lists, key=lambda r: r["p99_ms"])
        add(f"list queries: worst p99 ({worst['endpoint']})", worst["p99_ms"], "ms", "< 20", worst["p99_ms"] < 20)
    if a.aged != "null":
        # The same loads on the aged database; the target counts only at the size.
        aged = json.load(open(a.aged))
        size = f"{aged['rows']['recipients']:,} recipients, {aged['rows']['status_events']:,} events"
        big = aged["rows"]["recipients"] >= 20_000_000 and aged["rows"]["status_events"] >= 20_000_000
        # bench/scale measures an empty database with the same harness; the ratio is between those two.
        empty = aged["empty"]
        add("bench/scale harness, empty database: Huawei, unknown messages", rate(empty["unknown"]), "callbacks/s")
        add("bench/scale harness, empty database: Huawei, known messages", rate(empty["known"]), "callbacks/s")
        add(f"aged data ({size}): Huawei, unknown messages", rate(aged["unknown"]), "callbacks/s")
        add("aged data: Huawei, known messages", rate(aged["known"]), "callbacks/s")
        add("aged data: Huawei, known messages, p99", aged["known"]["p99_us"] / 1000, "ms")
        ratio = rate(aged["known"]) / rate(empty["known"]) * 100
        add("aged data: known-message ingestion / the empty database's", ratio, "%",
            ">= 80" if big else ">= 80 (counts at 20 M rows each; this data set is smaller)", (ratio >= 80) if big else None)

    width = max(len(r["measure"]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>12}  {'unit':<12} target")
    for r in rows:
        mark = "" if r["met"] is None else ("  ok" if r["met"] else "  MISSED")
        value = "" if r["value"] is None else f"{r['value']:.2f}"
        print(f"{r['measure']:<{width}}  {value:>12}  {r['unit']:<12} {r['target'] or ''}{mark}")
    with open(a.out, "w") as f:
        json.dump({"kind": "bench-run", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "connections": a.connections,
                   "duration_s": a.duration, "rows": rows}, f, indent=2)
    print(f"written to {a.out}")


if __name__ == "__main__":
    main()
