#!/bin/sh
# Every file with text for translators is in po/POTFILES.in, and every file
# it names exists: a string left out is never translated, a file moved
# away breaks the catalogue's update.
set -eu
root="$1"
cd "$root"
status=0
while read -r file; do
  case "$file" in ''|'#'*) continue ;; esac
  [ -f "$file" ] || { echo "po/POTFILES.in names $file, which does not exist"; status=1; }
done < po/POTFILES.in
for file in $(grep -rlE '_\("|N_\("|ngettext \(' src --include=*.c; grep -l 'translatable="yes"' data/ui/*.ui); do
  grep -qx "$file" po/POTFILES.in || { echo "$file has text for translators but is not in po/POTFILES.in"; status=1; }
done
exit $status
