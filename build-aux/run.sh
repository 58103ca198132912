#!/bin/sh
# Installs what is missing, builds and installs Vetter, then opens its window.
set -eu
cd "$(dirname "$0")/.."
sh build-aux/install-deps.sh
[ -f build/build.ninja ] || meson setup build --prefix=/usr/local
meson install -C build --quiet
exec /usr/local/bin/vetter "$@"
