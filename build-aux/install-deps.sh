#!/bin/sh
# Installs what Vetter needs to build, run and test on Debian 12, as root.
# Only missing packages are fetched, so a second run costs nothing.
set -eu

packages="
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev
  libjson-glib-dev libsqlite3-dev libsecret-1-dev libjpeg62-turbo-dev libpng-dev libdeflate-dev libgnutls28-dev zlib1g-dev
  libgdk-pixbuf-2.0-dev librsvg2-common webp-pixbuf-loader
  desktop-file-utils appstream flatpak-builder
  xvfb xauth libxtst-dev dbus dbus-x11 at-spi2-core python3 python3-gi gir1.2-atspi-2.0 python3-botocore
  mate-backgrounds
  clang libclang-rt-14-dev
"

missing=""
# The test servers run on Node.js; Debian's is used only where none is installed.
command -v npm >/dev/null 2>&1 || packages="$packages nodejs npm"
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing packages:$missing" >&2
    echo "Run this script as root to install them." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
fi
