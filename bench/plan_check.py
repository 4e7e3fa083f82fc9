"""Reads auto_explain output from a PostgreSQL log and reports the scans of each statement on the big
tables. Exits 1 when a list query reads one of them with a sequential scan. Used by bench/scale."""
import re
import sys

BIG = ("messages", "message_recipients", "status_events", "replies", "balances", "review_events")


def main(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    entries = re.split(r"LOG:\s+duration: [0-9.]+ ms\s+plan:\n", text)[1:]
    failures = 0
    seen = set()
    for entry in entries:
        lines = entry.splitlines()
        query = next((l.split("Query Text:", 1)[1].strip() for l in lines if "Query Text:" in l), "")
        plan = [l for l in lines if l.startswith("\t") or l.startswith(" ")]
        scans = []
        for line in plan:
            m = re.search(r"(Seq Scan|Index Only Scan Backward|Index Only Scan|Index Scan Backward|Index Scan|Bitmap Index Scan|Bitmap Heap Scan) (?:using (\S+) )?on (\S+)", line)
            if m:
                scans.append((m.group(1), m.group(2), m.group(3)))
        big = [s for s in scans if s[2] in BIG]
        if not big:
            continue
        key = re.sub(r"\s+", " ", query)[:90]
        if key in seen:
            continue
        seen.add(key)
        sequential = [s for s in big if s[0] == "Seq Scan"]
        failures += bool(sequential)
        verdict = "SEQUENTIAL" if sequential else "index"
        print(f"[{verdict}] {key}")
        for kind, index, table in big:
            print(f"      {kind} {('using ' + index + ' ') if index else ''}on {table}")
    print(f"{len(seen)} distinct statements on the big tables; {failures} with a sequential scan")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
