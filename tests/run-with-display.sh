#!/bin/sh
# Runs a test inside its own X server and session bus, so window tests
# work the same on a desktop, on CI and on a machine with no display.
set -e
if [ -n "$VETTER_TEST_HAVE_DISPLAY" ]; then
  exec "$@"
fi
export VETTER_TEST_HAVE_DISPLAY=1
# xvfb-run -a picks the first free display, and two tests starting at
# once can pick the same one; starting the search from a number drawn from
# the process id keeps parallel tests apart.
exec xvfb-run -a -n $((100 + $$ % 800)) -s "-screen 0 1400x1000x24 -nolisten tcp" dbus-run-session -- "$@"
