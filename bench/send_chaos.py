"""Drives bench/send-chaos: one run of sending over a route of three simulated providers, the first
refusing, hanging and failing calls, with smshub killed (-9) in the middle or run as two instances.
Starts and kills the smshub processes itself; checks the run from PostgreSQL and the simulator."""
import argparse
import json
import os
import signal
import subprocess
import time
import urllib.request

from provider_accounts import call, register


def sql(database, query):
    out = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-F", "\t", database, "-c", query],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


class Hubs:
    """The smshub processes of a run: `count` instances on consecutive ports, one database."""

    def __init__(self, binary, port, count, log_dir):
        self.binary, self.port, self.count, self.log_dir = binary, port, count, log_dir
        self.processes = []

    def start(self):
        self.processes = []
        for i in range(self.count):
            env = dict(os.environ, SMSHUB_PORT=str(self.port + i))
            log = open(os.path.join(self.log_dir, f"smshub-{i}.log"), "a")
            self.processes.append(subprocess.Popen([self.binary, "serve"], env=env, stdout=log, stderr=log))
        for i in range(self.count):
            url = f"http://127.0.0.1:{self.port + i}/readyz"
            for _ in range(600):
                try:
                    urllib.request.urlopen(url, timeout=2).read()
                    break
                except Exception:
                    time.sleep(0.1)
            else:
                raise SystemExit(f"smshub on port {self.port + i} did not become ready")

    def kill(self):
        for process in self.processes:
            process.send_signal(signal.SIGKILL)
            process.wait()

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=60)


def setup(hub, admin, sim):
    tenant = call("POST", f"{hub}/admin/tenants", admin, {"name": "chaos"})
    key = call("POST", f"{hub}/admin/tenants/{tenant['id']}/api-keys", admin, {"name": "bench"})["key"]
    # Short windows: a recipient whose call may never have been made (its instance killed after the
    # claim) expires within the run.
    template, ids = register(hub, key, sim, "chaos", {"validity_seconds": "120"})
    accounts = [ids["submail"], ids["huawei"], ids["engagelab"]]
    call("POST", f"{hub}/v1/routes", key, {"name": "chaos", "accounts": accounts, "is_default": True})
    # Every recipient's moves reach the tenant as signed webhooks, at the simulator's receiver.
    hook = call("POST", f"{hub}/v1/webhook-endpoints", key,
                {"url": f"{sim}/sim/webhooks/chaos", "event_types": ["message.status_changed"]})
    call("POST", f"{sim}/sim/webhooks/chaos/config", form={"secret": hook["secret"]})
    return key, template, accounts


def main():
    parser = argparse.ArgumentParser()
    for name in ("binary", "admin", "sim", "database", "mode", "logs", "out"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--per-message", type=int, default=1000)
    parser.add_argument("--deadline", type=float, default=600)
    args = parser.parse_args()

    hubs = Hubs(args.binary, args.port, 2 if args.mode == "two-instances" else 1, args.logs)
    hubs.start()
    hub = f"http://127.0.0.1:{args.port}"
    key, template, accounts = setup(hub, args.admin, args.sim)
    # The first account refuses 30% of calls for the account, accepts 10% and answers after the hub's
    # deadline, and accepts 10% and answers 502; the second refuses 20%, so the third gets work too.
    call("POST", f"{args.sim}/sim/send-faults", form={"provider": "submail", "refuse_pct": "30", "hang_pct": "10",
                                                      "accept_error_pct": "10", "hang_s": "4", "refusal_code": "903"})
    call("POST", f"{args.sim}/sim/send-faults", form={"provider": "huawei", "refuse_pct": "20",
                                                      "refusal_code": "E000110"})

    # Last digits 0-7: each number gets a report (8 would get none, 9 a late one).
    numbers = [f"+86139{i // 8:05d}{i % 8:03d}" for i in range(args.recipients)]
    started = time.monotonic()
    for offset in range(0, len(numbers), args.per_message):
        hubs_url = f"http://127.0.0.1:{args.port + (offset // args.per_message) % hubs.count}"
        call("POST", f"{hubs_url}/v1/messages", key,
             {"recipients": numbers[offset:offset + args.per_message], "template_id": template, "variables": {"code": "1234"}})
    accepted_s = time.monotonic() - started

    killed_at = None
    if args.mode == "kill":
        # In the middle of dispatch: some calls made, some claimed, many still queued.
        while int(sql(args.database, "SELECT count(*) FROM send_attempts")[0][0]) < args.recipients // 3:
            time.sleep(0.05)
        hubs.kill()
        killed_at = time.monotonic() - started
        time.sleep(1)
        hubs.start()

    final = 0
    while time.monotonic() - started < args.deadline:
        final = int(sql(args.database, "SELECT count(*) FROM message_recipients WHERE status_rank(status) = 4")[0][0])
        if final == args.recipients:
            break
        time.sleep(1)
    finished_s = time.monotonic() - started
    time.sleep(3)  # late duplicate reports, if any, land before the counts
    drain_started = time.monotonic()
    while time.monotonic() - drain_started < 300:
        if int(sql(args.database, "SELECT count(*) FROM webhook_deliveries WHERE state <> 'delivered'")[0][0]) == 0:
            break
        time.sleep(1)
    hubs.stop()

    sends = call("GET", f"{args.sim}/sim/sends")["sends"]
    per_number = {}
    for provider, counts in sends.items():
        for number, count in counts.items():
            per_number.setdefault(number, []).append((provider, count))
    twice = [n for n, entries in per_number.items() if len(entries) > 1 or any(c > 1 for _, c in entries)]
    by_status = dict(sql(args.database, "SELECT status, count(*) FROM message_recipients GROUP BY status"))
    attempts = dict(sql(args.database, "SELECT step || ':' || outcome, count(*) FROM send_attempts GROUP BY 1"))
    # Refused for the account at a step before the last, and never tried at the next step.
    not_moved = sql(args.database, """
        SELECT count(*) FROM send_attempts a WHERE a.outcome = 'refused_account' AND a.step < 2
          AND NOT EXISTS (SELECT 1 FROM send_attempts b WHERE b.recipient_id = a.recipient_id AND b.step = a.step + 1)""")[0][0]
    unknown = sql(args.database, """
        SELECT count(*) FILTER (WHERE n > 1),
               count(*) FILTER (WHERE r.status_inferred),
               count(*) FILTER (WHERE NOT r.status_inferred AND status_rank(r.status) = 4),
               count(*)
        FROM (SELECT recipient_id, count(*) AS n, bool_or(outcome = 'unknown') AS lost FROM send_attempts GROUP BY 1) x
        JOIN message_recipients r ON r.id = x.recipient_id WHERE x.lost""")[0]
    lapsed = sql(args.database, "SELECT count(*) FROM send_attempts WHERE outcome = 'unknown' AND code = 'outcome_unknown' "
                                "AND description LIKE 'the instance calling%'")[0][0]
    unattached = sql(args.database, "SELECT count(*) FROM status_events WHERE recipient_id IS NULL AND source = 'push'")[0][0]
    pushed = sql(args.database, "SELECT count(*) FROM status_events WHERE source = 'push'")[0][0]
    # Each recipient's final state was announced by a webhook event, and every delivery arrived signed
    # (one made while the service stopped stays pending for its next start: at least once).
    unannounced = sql(args.database, """
        SELECT count(*) FROM message_recipients r
        LEFT JOIN (SELECT DISTINCT data->>'recipient_id' AS recipient, data->>'status' AS status FROM webhook_events
                   WHERE type = 'message.status_changed') e ON e.recipient = r.id::text AND e.status = r.status
        WHERE e.recipient IS NULL""")[0][0]
    deliveries = dict(sql(args.database, "SELECT state, count(*) FROM webhook_deliveries GROUP BY 1"))
    receiver = call("GET", f"{args.sim}/sim/webhooks/chaos")
    result = {
        "mode": args.mode, "recipients": args.recipients, "accepted_s": round(accepted_s, 2),
        "killed_at_s": None if killed_at is None else round(killed_at, 2), "finished_s": round(finished_s, 2),
        "final": final, "by_status": by_status, "attempts_by_step_and_outcome": attempts,
        "simulator_numbers_per_provider": {p: len(c) for p, c in sends.items()},
        "numbers_sent_twice_or_by_two_providers": len(twice),
        "refused_for_account_not_moved_on": int(not_moved),
        "lost_answers": {"recipients": int(unknown[3]), "with_more_than_one_attempt": int(unknown[0]),
                         "settled_by_report": int(unknown[2]), "settled_by_expiry": int(unknown[1]),
                         "of_which_lapsed_leases": int(lapsed)},
        "push_reports": {"stored": int(pushed), "unattached": int(unattached)},
        "webhooks": {"final_states_without_an_event": int(unannounced), "deliveries": deliveries,
                     "received": receiver.get("unique_ids"), "verified": receiver.get("verified")},
    }
    print(json.dumps(result, indent=2), flush=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    ok = (final == args.recipients and not twice and int(not_moved) == 0 and int(unknown[0]) == 0
          and int(unattached) == 0 and int(unannounced) == 0 and set(deliveries) <= {"delivered", "pending"})
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
