#!/bin/sh
# Every shipped translation is complete and well formed against the text
# the sources hold now (extracted afresh, as the catalogue's update does),
# and no message reaches translators cut short: a format macro spliced
# into a string (G_GINT64_FORMAT) ends xgettext's reading of it there.
set -eu
po_dir="$1"
root="$po_dir/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

(cd "$root" && xgettext --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  -f po/POTFILES.in -o "$work/now.pot")

cut=$(msgcat --no-wrap "$work/now.pot" | grep -E '^msgid(_plural)? ".*[^%]%"$' || true)
if [ -n "$cut" ]; then
  echo "messages cut short at a format macro (use PRId64 and the like in translatable text):"
  echo "$cut"
  status=1
fi

for po in "$po_dir"/*.po; do
  msgmerge --quiet --no-fuzzy-matching -o "$work/merged.po" "$po" "$work/now.pot"
  stats=$(msgfmt --check --statistics -o /dev/null "$work/merged.po" 2>&1)
  echo "$(basename "$po") against the sources: $stats"
  case "$stats" in
    *untranslated*|*fuzzy*) status=1 ;;
  esac
done
exit $status
