#!/bin/sh
# Installs what is missing, builds with AddressSanitizer and
# UndefinedBehaviorSanitizer and warnings as errors, and runs every test.
set -eu
cd "$(dirname "$0")/.."
sh build-aux/install-deps.sh
builddir=build-test
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
fi
meson compile -C "$builddir"
meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"
