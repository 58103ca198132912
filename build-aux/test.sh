#!/bin/sh
# Installs what is missing, builds with AddressSanitizer and
# UndefinedBehaviorSanitizer and warnings as errors, and runs every test;
# then gives each fuzz target a short run (FUZZ_SECONDS, 30 by default; 0
# skips it) from what earlier runs learnt. A longer one: build-aux/fuzz.sh.
set -eu
cd "$(dirname "$0")/.."
sh build-aux/install-deps.sh
# The real servers the sync tests start (s3rver, pouchdb-server), pinned
# by the lock file. Install scripts are skipped: they would build native
# storage back ends the tests do not use (pouchdb-server runs in memory).
if [ ! -x tests/servers/node_modules/.bin/s3rver ] || [ ! -x tests/servers/node_modules/.bin/pouchdb-server ]; then
  npm ci --prefix tests/servers --ignore-scripts --no-audit --no-fund
fi
builddir=build-test
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
fi
meson compile -C "$builddir"
status=0
meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@" || status=$?
fuzz_status=0
if [ "${FUZZ_SECONDS:-30}" -gt 0 ] && [ $# -eq 0 ]; then
  sh build-aux/fuzz.sh "${FUZZ_SECONDS:-30}" || fuzz_status=$?
fi

# One plain closing line, counted from meson's own log.
python3 - "$builddir/meson-logs/testlog.json" <<'PY' || true
import json, sys
text = open(sys.argv[1]).read()
decoder = json.JSONDecoder()
counts = {"passed": 0, "failed": 0, "skipped": 0}
pos = 0
while True:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        break
    record, pos = decoder.raw_decode(text, pos)
    result = record.get("result")
    key = "passed" if result == "OK" else "skipped" if result == "SKIP" else "failed"
    counts[key] += 1
print("%(passed)d passed, %(failed)d failed, %(skipped)d skipped" % counts)
PY
[ $fuzz_status -eq 0 ] || echo "the fuzzers found a failure (above)"
[ $status -ne 0 ] && exit $status
exit $fuzz_status
