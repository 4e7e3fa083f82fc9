"""Reads auto_explain output from a PostgreSQL log and reports the scans of each statement on the big
tables. Exits 1 when a list query reads one of them with a sequential scan. Used by bench/scale."""
import re
import sys

# Review events are not among them: one per template or signature review, a few thousand in the whole
# 20 M data set, and the planner rightly reads that few sequentially (retention's removal of them did).
BIG = ("messages", "message_recipients", "status_events", "replies", "balances")


def main(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    entries = re.split(r"LOG:\s+duration: [0-9.]+ ms\s+plan:\n", text)[1:]
    failures = 0
    seen = set()
    for entry in entries:
        lines = entry.splitlines()
        start = next((i for i, l in enumerate(lines) if "Query Text:" in l), None)
        if start is None:
            continue
        # The query text runs until the plan's first node line.
        query_lines = [lines[start].split("Query Text:", 1)[1]]
        for line in lines[start + 1:]:
            if re.match(r"\s*(->\s+)?[A-Z][A-Za-z ]+(\(|  )", line) and "actual" in line:
                break
            query_lines.append(line)
        query = " ".join(query_lines)
        plan = [l for l in lines if l.startswith("\t") or l.startswith(" ")]
        scans = []
        for line in plan:
            bitmap = re.search(r"Bitmap Index Scan on (\S+)", line)
            if bitmap:
                # Names the index its Bitmap Heap Scan (the line above) reads through.
                for i in range(len(scans) - 1, -1, -1):
                    if scans[i][0] == "Bitmap Heap Scan" and scans[i][1] is None:
                        scans[i] = ("Bitmap Heap Scan", bitmap.group(1), scans[i][2])
                        break
                continue
            m = re.search(r"(Seq Scan|Index Only Scan Backward|Index Only Scan|Index Scan Backward|Index Scan|Bitmap Heap Scan) (?:using (\S+) )?on (\S+)", line)
            if m:
                scans.append((m.group(1), m.group(2), m.group(3)))
        big = [s for s in scans if s[2] in BIG]
        if not big:
            continue
        key = re.sub(r"\s+", " ", query).strip()
        if key in seen:
            continue
        seen.add(key)
        sequential = [s for s in big if s[0] == "Seq Scan"]
        failures += bool(sequential)
        verdict = "SEQUENTIAL" if sequential else "index"
        where = key.split(" WHERE ", 1)[1][:150] if " WHERE " in key else ""
        print(f"[{verdict}] {key[:70]} … WHERE {where}")
        for kind, index, table in big:
            print(f"      {kind} {('using ' + index + ' ') if index else ''}on {table}")
    print(f"{len(seen)} distinct statements on the big tables; {failures} with a sequential scan")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
