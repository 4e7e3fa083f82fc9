"""Run by bench/run: dispatch throughput through each simulated provider. Sends --recipients numbers
(in messages of 1,000) through one account of each provider in turn, and times from the first send
until none of them is queued. Numbers end in 8, for which the simulator pushes no report, so the later
loads of bench/run are not disturbed. Prints {"submail": recipients/s, "huawei": …, "engagelab": …}."""
import argparse
import json
import subprocess
import time

from provider_accounts import call, register


def queued(database, account):
    out = subprocess.run(["psql", "-X", "-At", database, "-c",
                          f"SELECT count(*) FROM message_recipients WHERE provider_account_id = '{account}' AND status = 'queued'"],
                         check=True, capture_output=True, text=True).stdout
    return int(out.strip())


def main():
    parser = argparse.ArgumentParser()
    for name in ("hub", "key", "sim", "database"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--recipients", type=int, default=5000)
    args = parser.parse_args()
    template, ids = register(args.hub, args.key, args.sim, "dispatch")
    rates = {}
    for n, provider in enumerate(("submail", "huawei", "engagelab")):
        numbers = [f"+861370{n}{i:05d}8" for i in range(args.recipients)]
        started = time.monotonic()
        for offset in range(0, len(numbers), 1000):
            call("POST", f"{args.hub}/v1/messages", args.key, {
                "provider_account_id": ids[provider], "recipients": numbers[offset:offset + 1000],
                "template_id": template, "variables": {"code": "1234"}})
        while queued(args.database, ids[provider]) > 0:
            if time.monotonic() - started > 600:
                raise SystemExit(f"{provider}: recipients still queued after 600 s")
            time.sleep(0.2)
        rates[provider] = round(args.recipients / (time.monotonic() - started), 1)
    print(json.dumps(rates))


if __name__ == "__main__":
    main()
