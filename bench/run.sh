#!/bin/sh
# The benchmark, from nothing: installs what it needs from Debian, builds
# Vetter (release) and the peers, runs them side by side, writes REPORT.md.
# usage: sh bench/run.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
sh build-aux/install-deps.sh
need=""
for p in python3-pil python3-numpy libvips-dev libjpeg-turbo-progs lomiri-wallpapers-16.04 mate-backgrounds; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need="$need $p"
done
if [ -n "$need" ]; then
  apt-get update -q
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need
fi

work=bench/work
mkdir -p "$work/peers"
[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release
meson compile -C build-release src/vetter:executable bench/responsiveness bench/review-keys bench/console bench/console-window bench/team-import
cc -O2 -o "$work/peers/vips-variants" bench/peers/vips_variants.c $(pkg-config --cflags --libs vips) -lpthread
cc -O2 -o "$work/peers/floor-variants" bench/peers/floor_variants.c $(pkg-config --cflags --libs glib-2.0 libjpeg libpng) -lpthread
cp bench/peers/pillow_variants.py "$work/peers/"
GSETTINGS_SCHEMA_DIR="$PWD/build-release/data" /usr/bin/python3 bench/bench.py "$work" build-release/src/vetter "$work/peers" \
  --runs "${1:-5}" --responsiveness build-release/bench/responsiveness --review-keys build-release/bench/review-keys
# The console at a million ads (the store is made once and kept in $work).
build-release/bench/console "$work/console-1m.db" 1000000 >> bench/REPORT.md
# The window meanwhile: its main loop while the console lists, searches and sorts that store.
cp "$work/console-1m.db" "$work/console-window.db"
{
  printf '\nThe window while the console works that store (`bench/console-window`, one run):\n\n    '
  XDG_DATA_HOME="$work" VETTER_DB="$work/console-window.db" GSETTINGS_SCHEMA_DIR="$PWD/build-release/data" \
    GSETTINGS_BACKEND=memory GSK_RENDERER=cairo GDK_BACKEND=x11 GTK_A11Y=none NO_AT_BRIDGE=1 \
    tests/run-with-display.sh build-release/bench/console-window
} >> bench/REPORT.md
# The team: workers sharing a database and a bucket (servers from tests/servers, on loopback).
[ -x tests/servers/node_modules/.bin/pouchdb-server ] || (cd tests/servers && npm ci --no-audit --no-fund)
GSETTINGS_SCHEMA_DIR="$PWD/build-release/data" /usr/bin/python3 bench/team.py build-release/src/vetter \
  build-release/bench/team-import tests/servers /usr/share/backgrounds/mate/nature 120 >> bench/REPORT.md
# A batch's cost per item from a thousand rows to a million (the million takes minutes).
/usr/bin/python3 bench/scaling.py build-release/src/vetter 1000 10000 100000 1000000 >> bench/REPORT.md
