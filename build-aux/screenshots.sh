#!/bin/sh
# Renders the main views, light and dark, into data/screenshots/.
set -eu
cd "$(dirname "$0")/.."
builddir=${1:-build}
[ -f "$builddir/build.ninja" ] || meson setup "$builddir"
meson compile -C "$builddir"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# A fresh database and home, so the pictures show only what this run adds.
XDG_DATA_HOME="$scratch" VETTER_DB="$scratch/vetter.db" GSETTINGS_SCHEMA_DIR="$builddir/data" GSETTINGS_BACKEND=memory GSK_RENDERER=cairo GDK_BACKEND=x11 \
  GTK_A11Y=none NO_AT_BRIDGE=1 \
  tests/run-with-display.sh "$builddir/tests/take-screenshots" data/screenshots
