#!/usr/bin/python3
# The team's throughput: the same ads processed by 1, 2 and 3 `vetter
# worker -j 1` processes sharing one database (pouchdb-server) and bucket
# (s3rver) on loopback, beside one `vetter batch` doing them alone; and how
# fast a desktop joining the team takes the results in, against the rate at
# which it would process them itself. Prints a Markdown section.
#
# usage: team.py VETTER TEAM_IMPORT SERVERS_DIR PHOTOS_DIR [N_ADS]

import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import base64
import functools
import resource

vetter, team_import, servers, photos = (os.path.abspath(p) for p in sys.argv[1:5])
n_ads = int(sys.argv[5]) if len(sys.argv) > 5 else 120
work = tempfile.mkdtemp(prefix="vetter-team-bench-")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port):
    for _ in range(600):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing answers on port {port}")


couch_port, s3_port = free_port(), free_port()
bin_dir = os.path.join(servers, "node_modules", ".bin")
couch = subprocess.Popen([os.path.join(bin_dir, "pouchdb-server"), "--in-memory", "--host", "127.0.0.1",
                          "--port", str(couch_port)], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.makedirs(os.path.join(work, "bucket"))
s3 = subprocess.Popen([os.path.join(bin_dir, "s3rver"), "--directory", os.path.join(work, "bucket"), "--port",
                       str(s3_port), "--address", "127.0.0.1", "--configure-bucket", "vetter", "--silent"],
                      env=dict(os.environ, NODE_OPTIONS="--openssl-legacy-provider"),
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wait_port(couch_port)
wait_port(s3_port)

class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=photos))
threading.Thread(target=web.serve_forever, daemon=True).start()
web_port = web.server_address[1]
images = sorted(f for f in os.listdir(photos) if f.lower().endswith((".jpg", ".jpeg", ".png")))

auth = "Basic " + base64.b64encode(b"admin:bench-secret").decode()


def couch_request(method, path, body=None, authorised=True):
    request = urllib.request.Request(f"http://127.0.0.1:{couch_port}/{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    if authorised:
        request.add_header("Authorization", auth)
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


couch_request("PUT", "_config/admins/admin", "bench-secret", authorised=False)


def env_for(db):
    return dict(os.environ, VETTER_COUCHDB_URL=f"http://127.0.0.1:{couch_port}", VETTER_COUCHDB_DB=db,
                VETTER_COUCHDB_USER="admin", VETTER_COUCHDB_PASSWORD="bench-secret",
                VETTER_S3_ENDPOINT=f"http://127.0.0.1:{s3_port}", VETTER_S3_REGION="us-east-1",
                VETTER_S3_BUCKET="vetter", VETTER_S3_ACCESS_KEY="S3RVER", VETTER_S3_SECRET_KEY="S3RVER")


def url_of(i):
    return f"http://127.0.0.1:{web_port}/{images[i % len(images)]}"


def queue(db):
    couch_request("PUT", db)
    docs = []
    for i in range(n_ads):
        uid = f"bench{i:06d}"
        docs.append({"_id": f"ad:{uid}", "type": "ad", "title": f"Ad {i}", "images": [url_of(i)],
                     "batch": "batch:bench", "batch_name": "bench", "row": i + 1, "shared_work": True})
        docs.append({"_id": f"work:{uid}", "type": "work", "ad": uid, "state": "queued", "attempt": 0})
    couch_request("POST", f"{db}/_bulk_docs", {"docs": docs})


def server_cpu():
    """CPU seconds the database and the bucket servers have used so far."""
    used = []
    for process in (couch, s3):
        with open(f"/proc/{process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        used.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    return used


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def team(k):
    db = f"team{k}"
    queue(db)
    servers_before, workers_before = server_cpu(), children_cpu()
    started = time.monotonic()
    workers = [subprocess.Popen([vetter, "worker", "-j", "1", "--once", "--db", os.path.join(work, f"{db}-w{i}.db")],
                                env=env_for(db), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
               for i in range(k)]
    done_by = []
    for worker in workers:
        _, err = worker.communicate()
        if worker.returncode != 0:
            raise SystemExit(f"a worker failed:\n{err}")
        done_by.append(sum(1 for line in err.splitlines() if " ad bench" in line))
    seconds = time.monotonic() - started
    servers_after = server_cpu()
    cores = ((children_cpu() - workers_before) / seconds, (servers_after[0] - servers_before[0]) / seconds,
             (servers_after[1] - servers_before[1]) / seconds)
    return n_ads / seconds, done_by, cores


def batch(jobs):
    csv = os.path.join(work, "ads.csv")
    with open(csv, "w") as f:
        f.write("S. No.,Product Name,Input Image Urls\n")
        for i in range(n_ads):
            f.write(f"{i + 1},Ad {i},{url_of(i)}\n")
    db = os.path.join(work, f"batch-j{jobs}.db")
    started = time.monotonic()
    subprocess.run([vetter, "batch", "-j", str(jobs), "--db", db, "-o", os.path.join(work, f"out-j{jobs}"), csv],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return n_ads / (time.monotonic() - started)


try:
    alone_1 = batch(1)
    alone_2 = batch(2)
    rates = {}
    shares = {}
    cores = {}
    for k in (1, 2, 3):
        rates[k], shares[k], cores[k] = team(k)
    imported = subprocess.run([team_import, os.path.join(work, "desktop.db"), str(n_ads)], env=env_for("team1"),
                              check=True, capture_output=True, text=True).stdout.strip()
    import_rate = float(imported.split("(")[1].split(" ads/s")[0])
finally:
    for process in (couch, s3):
        process.terminate()
        process.wait()
    web.shutdown()

print(f"\n### The team: workers sharing one database ({n_ads} ads, each one image of the mate set by URL)\n")
print("| | ads/s | against one `vetter batch -j 1` | ads done by each worker | cores: workers + database + bucket |")
print("|---|---:|---:|---|---|")
print(f"| `vetter batch -j 1` (alone, no upload) | {alone_1:.1f} | 1.00× | | |")
print(f"| `vetter batch -j 2` (alone, no upload) | {alone_2:.1f} | {alone_2 / alone_1:.2f}× | | |")
for k in (1, 2, 3):
    print(f"| {k} × `vetter worker -j 1` (uploads, publishes) | {rates[k]:.1f} | {rates[k] / alone_1:.2f}× |"
          f" {', '.join(str(d) for d in shares[k])} | {cores[k][0]:.2f} + {cores[k][1]:.2f} + {cores[k][2]:.2f} |")
print()
print(f"Two workers against twice one worker (this machine has two cores): "
      f"{rates[2] / (2 * rates[1]):.2f}; three against the two cores' worth: {rates[3] / (2 * rates[1]):.2f}.")
print(f"A desktop joining: {imported}.")
print(f"Taking in against processing them itself (`vetter batch -j 2`): {import_rate / alone_2:.0f}×.")
