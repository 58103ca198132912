#!/usr/bin/python3
# A batch's cost per item at any size: `vetter batch` over CSVs of 1,000 to
# N rows whose images fail at once (a file that is not there), so that only
# the queue, the store and the progress are measured. Prints a Markdown
# section: items a second and peak resident memory at each size.
#
# usage: scaling.py VETTER [SIZES...]

import os
import resource
import subprocess
import sys
import tempfile
import time

vetter = os.path.abspath(sys.argv[1])
sizes = [int(s) for s in sys.argv[2:]] or [1000, 10000, 100000]
work = tempfile.mkdtemp(prefix="vetter-scaling-")
rows = []
for n in sizes:
    csv = os.path.join(work, f"rows-{n}.csv")
    with open(csv, "w") as f:
        f.write("S. No.,Product Name,Input Image Urls\n")
        for i in range(n):
            f.write(f"{i + 1},Item {i},/nonexistent/{i}.jpg\n")
    db = os.path.join(work, f"rows-{n}.db")
    started = time.monotonic()
    process = subprocess.Popen([vetter, "batch", "-j", "2", "--db", db, "-o", os.path.join(work, "out"), csv],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    rows.append((n, n / seconds, usage.ru_maxrss / 1024, os.path.getsize(db) / n))
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    os.remove(csv)

print("\n### A batch's cost per item at any size (rows whose image fails at once, `vetter batch -j 2`)\n")
print("| rows | items/s | against 1,000 rows | peak memory MB | store bytes a row |")
print("|---:|---:|---:|---:|---:|")
for n, rate, rss, per_row in rows:
    print(f"| {n:,} | {rate:,.0f} | {rate / rows[0][1]:.2f}× | {rss:.0f} | {per_row:.0f} |")
