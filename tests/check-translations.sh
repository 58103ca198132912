#!/bin/sh
# Every shipped translation is complete and well formed.
set -eu
status=0
for po in "$1"/*.po; do
  stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1)
  echo "$(basename "$po"): $stats"
  case "$stats" in
    *untranslated*|*fuzzy*) status=1 ;;
  esac
done
exit $status
