#!/bin/sh
# Runs a test inside its own X server and session bus, so window tests
# work the same on a desktop, on CI and on a machine with no display.
set -e
if [ -n "$VETTER_TEST_HAVE_DISPLAY" ]; then
  exec "$@"
fi
export VETTER_TEST_HAVE_DISPLAY=1
exec xvfb-run -a -s "-screen 0 1400x1000x24 -nolisten tcp" dbus-run-session -- "$@"
